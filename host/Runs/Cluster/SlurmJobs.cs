using System.Text;
using System.Text.RegularExpressions;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Runs;

/// <summary>
/// The three Slurm batch scripts of a sharded run: the baseline step (prepares the run folder), a job array with one
/// task per shard (<c>--shard auto</c>), and the report; submitted in that order, each after the one before succeeds
/// (<c>--dependency=afterok</c>).
/// </summary>
public static partial class SlurmJobs
{
    public sealed record Script(string Name, string Text);

    /// <exception cref="BadInputException">A resource value Slurm would refuse, or an empty --peftqa.</exception>
    public static void Check(SubmitRequest request)
    {
        var problems = new List<string>();
        if (request.Time is { } time && !TimeFormat().IsMatch(time))
            problems.Add($"--time {time}: expected minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS or UNLIMITED (Slurm's formats)");
        if (request.Memory is { } memory && !MemoryFormat().IsMatch(memory))
            problems.Add($"--mem {memory}: expected a size such as 16G, 800M or 16000 (megabytes; suffix K, M, G or T)");
        if (request.Partition is { } partition && !PartitionList().IsMatch(partition))
            problems.Add($"--partition {partition}: expected a partition name or a comma-separated list of them (letters, digits, '-', '_', '.')");
        if (request.CpusPerTask is < 1) problems.Add($"--cpus-per-task {request.CpusPerTask}: expected at least 1");
        if (request.GpusPerTask is < 0) problems.Add($"--gpus-per-task {request.GpusPerTask}: expected 0 or more");
        if (request.Peftqa is { } peftqa && string.IsNullOrWhiteSpace(peftqa))
            problems.Add("--peftqa: empty; give the command the nodes run peftqa with (e.g. /opt/peftqa/peftqa), " +
                         "or leave it out for this installation's");
        if (problems.Count > 0) throw new BadInputException(problems);
    }

    /// <param name="command">The peftqa command line a node runs, before the verb (already quoted).</param>
    /// <param name="globalOptions">Options every step passes on (device, threads, plugins, data root), already quoted.</param>
    public static IReadOnlyList<Script> Scripts(
        SubmitRequest request, string name, string recipe, string runFolder, int shards, string command, string globalOptions)
    {
        string logs = Path.Combine(runFolder, RunFolderFiles.SlurmFolder);
        string threads = request.CpusPerTask is not null && !globalOptions.Contains("--threads") ? " --threads \"${SLURM_CPUS_PER_TASK}\"" : "";
        string run = $"{command} run {Quote(recipe)} --out {Quote(runFolder)}{globalOptions}{threads}";
        return
        [
            new("baseline.sbatch", Header(request, $"peftqa-{name}-baseline", OutputDirective(logs, "baseline-%j.out"), gpus: true, array: null)
                                   + $"exec {run} --stage baseline\n"),
            new("shards.sbatch", Header(request, $"peftqa-{name}", OutputDirective(logs, "shard-%a-%A.out"), gpus: true, array: $"0-{shards - 1}")
                                 + $"exec {run} --shard auto\n"),
            new("report.sbatch", Header(request with { CpusPerTask = 1 }, $"peftqa-{name}-report", OutputDirective(logs, "report-%j.out"),
                                        gpus: false, array: null)
                                 + $"exec {command} report {Quote(runFolder)}{globalOptions}\n"),
        ];
    }

    /// <summary>The sbatch arguments that chain the scripts: the array after the baseline, the report after the array.</summary>
    public static string[] DependencyArguments(string afterJob) => [$"--dependency=afterok:{afterJob}", "--kill-on-invalid-dep=yes"];

    /// <summary>Quoted for bash: single quotes, with any single quote closed, escaped and reopened.</summary>
    public static string Quote(string value) =>
        SafeWord().IsMatch(value) ? value : "'" + value.Replace("'", "'\\''") + "'";

    /// <summary>
    /// A path for <c>#SBATCH --output=</c>, in double quotes: sbatch ends an unquoted directive at whitespace and at '#'
    /// and reads a backslash as an escape (so a backslash or double quote in the path gets one), and Slurm expands '%' in
    /// file names (so the folder's own '%' is written '%%').
    /// </summary>
    /// <param name="pattern">The file name after the folder, with Slurm's replacement symbols (%j, %A, %a) kept.</param>
    public static string OutputDirective(string folder, string pattern)
    {
        var path = Path.Combine(folder.Replace("%", "%%"), pattern);
        return "\"" + path.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    private static string Header(SubmitRequest request, string jobName, string output, bool gpus, string? array)
    {
        var text = new StringBuilder("#!/bin/bash\n");
        text.Append($"#SBATCH --job-name={jobName}\n#SBATCH --output={output}\n#SBATCH --ntasks=1\n");
        if (array is not null) text.Append($"#SBATCH --array={array}\n");
        if (request.Partition is { } partition) text.Append($"#SBATCH --partition={partition}\n");
        if (request.Time is { } time) text.Append($"#SBATCH --time={time}\n");
        if (request.CpusPerTask is { } cpus) text.Append($"#SBATCH --cpus-per-task={cpus}\n");
        if (gpus && request.GpusPerTask is > 0) text.Append($"#SBATCH --gpus-per-task={request.GpusPerTask}\n");
        if (request.Memory is { } memory) text.Append($"#SBATCH --mem={memory}\n");
        text.Append(array is null
            ? "# Written by peftqa submit\n"
            : "# Written by peftqa submit; resubmit shard K alone with: sbatch --array=K <this file>\n");
        text.Append("set -euo pipefail\n");
        return text.ToString();
    }

    /// <summary>
    /// sbatch's --time: minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes,
    /// days-hours:minutes:seconds, or no limit.
    /// </summary>
    [GeneratedRegex(@"^([0-9]+(:[0-9]+){0,2}|[0-9]+-[0-9]+(:[0-9]+){0,2}|-1|(?i:unlimited|infinite))$")]
    private static partial Regex TimeFormat();

    /// <summary>sbatch's --mem: megabytes, or a K, M, G or T suffix in either case.</summary>
    [GeneratedRegex(@"^[0-9]+[KMGTkmgt]?$")]
    private static partial Regex MemoryFormat();

    [GeneratedRegex(@"^[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*$")]
    private static partial Regex PartitionList();

    [GeneratedRegex(@"^[A-Za-z0-9_./:=@%+,-]+$")]
    private static partial Regex SafeWord();
}
