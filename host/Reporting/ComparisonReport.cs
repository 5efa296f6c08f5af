using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Studies;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Reporting;

/// <summary>
/// The side-by-side comparison of strategies trained on the same data, seed and budget: <c>compare.md</c>,
/// <c>compare.json</c> and <c>compare.png</c>. Written by a run with several adapters and by <c>peftqa compare</c> from
/// finished run folders (their results.json).
/// </summary>
public static class ComparisonReport
{
    private static readonly string[] ScoreOrder = ["exact_match", "f1", "bleu", "rougeL"];

    public static ComparisonRow Row(StudyResult study)
    {
        double seconds = study.Training.Sum(t => t.Seconds);
        long examples = study.Training.Sum(t => t.Examples);
        int steps = study.Training.Sum(t => t.Steps - t.ResumedAtStep);
        const double megabyte = 1024.0 * 1024;
        return new ComparisonRow(study.Label, study.Strategy, 100.0 * study.TrainableParameters / study.TotalParameters, study.TrainableParameters,
            study.Final, seconds > 0 ? examples / seconds : 0, steps > 0 ? seconds / steps : 0, study.OptimizerStateBytes / megabyte,
            study.PeakMemoryBytes / megabyte, study.AdapterBytes / megabyte);
    }

    /// <summary>Rows with each score's interval and each study's difference from the reference study.</summary>
    public static List<ComparisonRow> Rows(IReadOnlyList<StudyResult> studies, StudyStatistics statistics)
    {
        return studies.Select(study => (Study: study, Reference: statistics.ReferenceFor(study, studies))).Select(s => Row(s.Study) with
        {
            Configuration = s.Study.ConfigurationLabel,
            Seed = s.Study.Seed,
            Intervals = statistics.Final(s.Study),
            Reference = s.Reference?.Label,
            Differences = s.Reference is null ? new Dictionary<string, ScoreDifference>() : statistics.Difference(s.Study, s.Reference),
        }).ToList();
    }

    /// <summary>A study read from a finished run for <c>peftqa compare</c>: its run folder and the label the run gave it.</summary>
    public sealed record ComparedStudy(StudyResult Study, string RunFolder, string LabelInRun);

    /// <summary>
    /// The studies in the results.json of finished runs (each may hold several), and the first run's seed, which seeds the
    /// intervals. A label met twice gets its run folder's name, and so does the configuration of a study whose
    /// configuration and seed were met in an earlier run (a second run of it, not another seed); with
    /// <paramref name="labelEveryRun"/> (runs that are not comparable) every study does, so nothing is pooled across runs.
    /// </summary>
    public static (List<ComparedStudy> Studies, int Seed) ReadRuns(IEnumerable<string> runFolders, bool labelEveryRun = false)
    {
        var studies = new List<ComparedStudy>();
        int? seed = null;
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
        foreach (var folder in runFolders)
        {
            var path = Path.Combine(folder, "results.json");
            if (!File.Exists(path)) throw new BadInputException($"{path}: not found (is {folder} a finished run folder?)");
            var (read, runSeed) = ReadStudies(path, options);
            seed ??= runSeed;
            var run = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
            foreach (var study in read)
            {
                var named = study;
                if (labelEveryRun || studies.Any(s => s.Study.Label == study.Label)) named = named with { Label = $"{study.Label} ({run})" };
                if (labelEveryRun || studies.Any(s => s.Study.ConfigurationLabel == study.ConfigurationLabel && s.Study.Seed == study.Seed))
                    named = named with { Configuration = $"{study.ConfigurationLabel} ({run})" };
                studies.Add(new ComparedStudy(named, folder, study.Label));
            }
        }
        return (studies, seed ?? 42);
    }

    /// <summary>The studies of one results.json; a damaged or foreign file is bad input naming the file and the place.</summary>
    private static (List<StudyResult> Studies, int? Seed) ReadStudies(string path, JsonSerializerOptions options)
    {
        var text = File.ReadAllText(path);
        if (string.IsNullOrWhiteSpace(text)) throw new BadInputException($"{path}: is empty (the run may have been cut off before it wrote its results; rebuild them with peftqa report)");
        JsonNode? root;
        try { root = JsonNode.Parse(text); }
        catch (JsonException e) { throw new BadInputException($"{path}: not valid JSON at line {(e.LineNumber ?? 0) + 1}: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]} (damaged or not written by peftqa?)"); }
        if (root is not JsonObject || root["studies"] is not JsonArray studies) throw new BadInputException($"{path}: no \"studies\" array (not a peftqa results.json?)");
        if (studies.Count == 0) throw new BadInputException($"{path}: $.studies is empty: the run finished no study, so there is nothing to compare");
        var results = new List<StudyResult>();
        for (int i = 0; i < studies.Count; i++)
        {
            try { results.Add(studies[i].Deserialize<StudyResult>(options) ?? throw new JsonException("null study")); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
            {
                throw new BadInputException($"{path}: $.studies[{i}]: not a study as peftqa writes it: {e.Message.Split(" Path:")[0]}");
            }
        }
        return (results, root["seed"] is JsonValue seed && seed.TryGetValue<int>(out var value) ? value : null);
    }

    /// <param name="notComparable">For runs compared although they differ: what differs, said at the top of compare.md.</param>
    public static void Write(string folder, IReadOnlyList<ComparisonRow> rows, string title, IReadOnlyList<LearningCurve> curves, IReadOnlyList<SeedSummary> acrossSeeds,
        string? notComparable = null)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "compare.json"), new JsonArray(rows.Select(r => (JsonNode?)RowJson(r)).ToArray())
            .ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        AtomicFile.WriteAllText(Path.Combine(folder, "compare.md"), Markdown(rows, title, acrossSeeds, notComparable));
        Charts.Comparison(Path.Combine(folder, "compare.png"), rows, title, curves);
    }

    /// <summary>A row as compare.json holds it: each score an object with its mean and, where answers were kept, its ci95.</summary>
    private static JsonObject RowJson(ComparisonRow row) => new()
    {
        ["study"] = row.Study, ["configuration"] = row.Configuration, ["seed"] = row.Seed, ["strategy"] = row.Strategy, ["trainablePercent"] = row.TrainablePercent, ["trainableParameters"] = row.TrainableParameters,
        ["scores"] = new JsonObject(row.Scores.Select(s => KeyValuePair.Create(s.Key,
            (JsonNode?)(row.Intervals.TryGetValue(s.Key, out var interval) ? interval.ToJson() : new JsonObject { ["mean"] = s.Value })))),
        ["reference"] = row.Reference,
        ["differenceFromReference"] = row.Reference is null ? null
            : new JsonObject(row.Differences.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value.ToJson()))),
        ["trainingExamplesPerSecond"] = row.TrainingExamplesPerSecond, ["secondsPerStep"] = row.SecondsPerStep,
        ["optimizerStateMegabytes"] = row.OptimizerStateMegabytes, ["peakMemoryMegabytes"] = row.PeakMemoryMegabytes,
        ["adapterMegabytes"] = row.AdapterMegabytes,
    };

    public static string Markdown(IReadOnlyList<ComparisonRow> rows, string title) => Markdown(rows, title, notComparable: null);

    private static string Markdown(IReadOnlyList<ComparisonRow> rows, string title, string? notComparable)
    {
        var metrics = ScoreOrder.Where(m => rows.Any(r => r.Scores.ContainsKey(m)))
            .Concat(rows.SelectMany(r => r.Scores.Keys).Distinct().Where(m => !ScoreOrder.Contains(m))).ToList();
        var text = new StringBuilder();
        text.AppendLine($"# {title}").AppendLine();
        text.Append(notComparable is null ? "Same data, seed and budget for every strategy. " : $"**Not comparable**: these runs differ in {notComparable}. " +
                    "Each study is labelled with its run, and differences from the reference are shown only within a run. ");
        text.AppendLine("Scores are on the evaluation data after training (the mean over tasks when there are several), " +
                        "with 95% percentile bootstrap intervals over questions where the study kept its answers.")
            .AppendLine();
        text.AppendLine("Peak memory is the process's resident peak while the study ran. Freed tensor memory stays in the process for reuse, so in a run " +
                        "with several studies a later study's peak includes what earlier ones left; run one strategy per run and combine them with " +
                        "`peftqa compare` for separate figures. Optimizer state is AdamW's two moments per trainable parameter.").AppendLine();
        text.AppendLine($"| strategy | trainable | {string.Join(" | ", metrics)} | train examples/s | s/step | optimizer state | peak memory | adapter on disk |");
        text.AppendLine($"|---|---:|{string.Concat(metrics.Select(_ => "---:|"))}---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var scores = metrics.Select(m => row.Intervals.TryGetValue(m, out var interval) ? interval.Format()
                : row.Scores.TryGetValue(m, out var v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "-");
            text.AppendLine(FormattableString.Invariant(
                $"| {row.Study} ({row.Strategy}) | {row.TrainablePercent:F3}% ({row.TrainableParameters:N0}) | {string.Join(" | ", scores)} | {row.TrainingExamplesPerSecond:F1} | {row.SecondsPerStep:F2} | {row.OptimizerStateMegabytes:F1} MB | {row.PeakMemoryMegabytes:F0} MB | {row.AdapterMegabytes:F2} MB |"));
        }
        AppendDifferences(text, rows, metrics);
        return text.ToString();
    }

    /// <summary>compare.md with the across-seeds table after the per-study ones, for runs with several seeds.</summary>
    public static string Markdown(IReadOnlyList<ComparisonRow> rows, string title, IReadOnlyList<SeedSummary> acrossSeeds, string? notComparable = null)
    {
        var text = Markdown(rows, title, notComparable);
        return acrossSeeds.Count == 0 ? text : text + Environment.NewLine + SeedSummary.Markdown(acrossSeeds);
    }

    private static void AppendDifferences(StringBuilder text, IReadOnlyList<ComparisonRow> rows, IReadOnlyList<string> metrics)
    {
        var compared = rows.Where(r => r.Reference is not null).ToList();
        if (compared.Count == 0) return;
        var references = compared.Select(r => r.Reference).Distinct().ToList();
        text.AppendLine().AppendLine($"Difference from the reference, {string.Join(" / ", references)} (score minus the reference's on the same questions, " +
                                     "paired 95% bootstrap interval; * where it excludes 0):").AppendLine();
        text.AppendLine($"| strategy | {(references.Count > 1 ? "reference | " : "")}{string.Join(" | ", metrics)} |");
        text.AppendLine($"|---|{(references.Count > 1 ? "---|" : "")}{string.Concat(metrics.Select(_ => "---:|"))}");
        foreach (var row in compared)
            text.AppendLine($"| {row.Study} ({row.Strategy}) | {(references.Count > 1 ? row.Reference + " | " : "")}" +
                            $"{string.Join(" | ", metrics.Select(m => row.Differences.TryGetValue(m, out var d) ? d.Format() : "-"))} |");
    }
}
