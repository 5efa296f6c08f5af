"""Checks that two run folders of one recipe hold the same results: results.json equal apart from what measures the
machine rather than the model (timings, memory) and the run folder's own path; report.md character for character but for its training-time column."""
import json
import re
import sys

MEASURED = {"seconds", "examplesPerSecond", "peakMemoryBytes", "trainingSeconds", "trainingExamplesPerSecond",
            "secondsPerStep", "peakMemoryMegabytes"}


def normalised(node, run_folder):
    if isinstance(node, dict):
        return {k: normalised(v, run_folder) for k, v in node.items() if k not in MEASURED}
    if isinstance(node, list):
        return [normalised(v, run_folder) for v in node]
    if isinstance(node, str):
        return node.replace(run_folder, "<run>")
    return node


def report(run_folder):
    """report.md with its one measured column, training time ("| 3 s |"), blanked."""
    return re.sub(r"\| [0-9][0-9.,]* (ms|s|min|h) \|", "| <time> |", open(f"{run_folder}/report.md", encoding="utf-8").read())


def main(first, second):
    problems = []
    a = normalised(json.load(open(f"{first}/results.json")), first)
    b = normalised(json.load(open(f"{second}/results.json")), second)
    if a != b:
        problems.append("results.json differs beyond timings, memory and paths")
    if len(a["studies"]) < 3:
        problems.append(f"only {len(a['studies'])} studies")
    if report(first) != report(second):
        problems.append("report.md differs beyond its training-time column")
    for problem in problems:
        print(f"same-results: {problem}", file=sys.stderr)
    if not problems:
        print(f"same-results: {len(a['studies'])} studies, results.json and report.md agree")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
