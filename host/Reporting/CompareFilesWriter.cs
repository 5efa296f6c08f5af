using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Reporting;

/// <summary>
/// The side-by-side comparison of strategies trained on the same data, seed and budget: <c>compare.md</c>,
/// <c>compare.json</c> and <c>compare.png</c>. Written by a run with several adapters and by <c>peftqa compare</c> from
/// finished run folders (their results.json).
/// </summary>
public static class CompareFilesWriter
{
    private static readonly string[] ScoreOrder = ["exact_match", "f1", "bleu", "rougeL"];

    /// <param name="notComparable">For runs compared although they differ: what differs, said at the top of compare.md.</param>
    public static void Write(
        string folder,
        IReadOnlyList<ComparisonRow> rows,
        string title,
        IReadOnlyList<LearningCurve> curves,
        IReadOnlyList<SeedSummary> acrossSeeds,
        string? notComparable = null)
    {
        Directory.CreateDirectory(folder);
        var json = new JsonArray(rows.Select(r => (JsonNode?)RowJson(r)).ToArray());
        var indented = new JsonSerializerOptions { WriteIndented = true };
        AtomicFile.WriteAllText(Path.Combine(folder, RunFolderFiles.CompareJsonFile), json.ToJsonString(indented));
        AtomicFile.WriteAllText(Path.Combine(folder, RunFolderFiles.CompareMarkdownFile), Markdown(rows, title, acrossSeeds, notComparable));
        Charts.Comparison(Path.Combine(folder, RunFolderFiles.CompareChartFile), rows, title, curves);
    }

    /// <summary>A row as compare.json holds it: each score an object with its mean and, where answers were kept, its ci95.</summary>
    private static JsonObject RowJson(ComparisonRow row) => new()
    {
        ["study"] = row.Study,
        ["configuration"] = row.Configuration,
        ["seed"] = row.Seed,
        ["trainingQuestions"] = row.TrainingQuestions,
        ["strategy"] = row.Strategy,
        ["trainablePercent"] = row.TrainablePercent,
        ["trainableParameters"] = row.TrainableParameters,
        ["scores"] = new JsonObject(row.Scores.Select(s => KeyValuePair.Create(s.Key,
            (JsonNode?)(row.Intervals.TryGetValue(s.Key, out var interval) ? interval.ToJson() : new JsonObject { ["mean"] = s.Value })))),
        ["reference"] = row.Reference,
        ["differenceFromReference"] = row.Reference is null ? null
            : new JsonObject(row.Differences.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value.ToJson()))),
        ["trainingExamplesPerSecond"] = row.TrainingExamplesPerSecond,
        ["secondsPerStep"] = row.SecondsPerStep,
        ["optimizerStateMegabytes"] = row.OptimizerStateMegabytes,
        ["peakMemoryMegabytes"] = row.PeakMemoryMegabytes,
        ["adapterMegabytes"] = row.AdapterMegabytes,
    };

    public static string Markdown(IReadOnlyList<ComparisonRow> rows, string title) => Markdown(rows, title, notComparable: null);

    /// <summary>compare.md with the across-seeds table after the per-study ones, for runs with several seeds.</summary>
    public static string Markdown(
        IReadOnlyList<ComparisonRow> rows, string title, IReadOnlyList<SeedSummary> acrossSeeds, string? notComparable = null)
    {
        var text = Markdown(rows, title, notComparable);
        return acrossSeeds.Count == 0 ? text : text + Environment.NewLine + SeedSummary.Markdown(acrossSeeds);
    }

    private static string Markdown(IReadOnlyList<ComparisonRow> rows, string title, string? notComparable)
    {
        var metrics = ScoreOrder.Where(m => rows.Any(r => r.Scores.ContainsKey(m)))
            .Concat(rows.SelectMany(r => r.Scores.Keys).Distinct().Where(m => !ScoreOrder.Contains(m))).ToList();
        var text = new StringBuilder();
        text.AppendLine($"# {title}").AppendLine();
        AppendIntroduction(text, notComparable);
        text.AppendLine($"| strategy | trainable | {string.Join(" | ", metrics)} | " +
                        "train examples/s | s/step | optimizer state | peak memory | adapter on disk |");
        text.AppendLine($"|---|---:|{string.Concat(metrics.Select(_ => "---:|"))}---:|---:|---:|---:|---:|");
        foreach (var row in rows) text.AppendLine(RowLine(row, metrics));
        AppendDifferences(text, rows, metrics);
        return text.ToString();
    }

    /// <summary>What the table compares and how to read its scores and costs.</summary>
    private static void AppendIntroduction(StringBuilder text, string? notComparable)
    {
        text.Append(notComparable is null
            ? "Same data, seed and budget for every strategy. "
            : $"**Not comparable**: these runs differ in {notComparable}. " +
              "Each study is labelled with its run, and differences from the reference are shown only within a run. ");
        text.AppendLine("Scores are on the evaluation data after training (the mean over tasks when there are several), " +
                        "with 95% percentile bootstrap intervals over questions where the study kept its answers.")
            .AppendLine();
        text.AppendLine("Peak memory is the process's resident peak while the study ran. " +
                        "Freed tensor memory stays in the process for reuse, so in a run " +
                        "with several studies a later study's peak includes what earlier ones left; " +
                        "run one strategy per run and combine them with " +
                        "`peftqa compare` for separate figures. Optimizer state is AdamW's two moments per trainable parameter.").AppendLine();
    }

    private static string RowLine(ComparisonRow row, IReadOnlyList<string> metrics)
    {
        var scores = metrics.Select(m => row.Intervals.TryGetValue(m, out var interval) ? interval.Format()
            : row.Scores.TryGetValue(m, out var v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "-");
        var trainable = FormattableString.Invariant($"{row.TrainablePercent:F3}% ({row.TrainableParameters:N0})");
        var costs = string.Create(CultureInfo.InvariantCulture,
            $"{row.TrainingExamplesPerSecond:F1} | {row.SecondsPerStep:F2} | {row.OptimizerStateMegabytes:F1} MB | " +
            $"{row.PeakMemoryMegabytes:F0} MB | {row.AdapterMegabytes:F2} MB");
        return $"| {row.Study} ({row.Strategy}) | {trainable} | {string.Join(" | ", scores)} | {costs} |";
    }

    private static void AppendDifferences(StringBuilder text, IReadOnlyList<ComparisonRow> rows, IReadOnlyList<string> metrics)
    {
        var compared = rows.Where(r => r.Reference is not null).ToList();
        if (compared.Count == 0) return;
        var references = compared.Select(r => r.Reference).Distinct().ToList();
        text.AppendLine().AppendLine($"Difference from the reference, {string.Join(" / ", references)} " +
                                     "(score minus the reference's on the same questions, " +
                                     "paired 95% bootstrap interval; * where it excludes 0):").AppendLine();
        text.AppendLine($"| strategy | {(references.Count > 1 ? "reference | " : "")}{string.Join(" | ", metrics)} |");
        text.AppendLine($"|---|{(references.Count > 1 ? "---|" : "")}{string.Concat(metrics.Select(_ => "---:|"))}");
        foreach (var row in compared)
            text.AppendLine($"| {row.Study} ({row.Strategy}) | {(references.Count > 1 ? row.Reference + " | " : "")}" +
                            $"{string.Join(" | ", metrics.Select(m => row.Differences.TryGetValue(m, out var d) ? d.Format() : "-"))} |");
    }
}
