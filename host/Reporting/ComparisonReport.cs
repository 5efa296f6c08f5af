using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Continual;
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

    /// <summary>Rows from the results.json of finished runs (each may hold several studies).</summary>
    public static List<ComparisonRow> FromRunFolders(IEnumerable<string> runFolders)
    {
        var rows = new List<ComparisonRow>();
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
        foreach (var folder in runFolders)
        {
            var path = Path.Combine(folder, "results.json");
            if (!File.Exists(path)) throw new BadInputException($"{path}: not found (is {folder} a finished run folder?)");
            foreach (var result in ReadStudies(path, options))
            {
                var row = Row(result);
                rows.Add(row with { Study = rows.Any(r => r.Study == row.Study) ? $"{row.Study} ({Path.GetFileName(Path.GetFullPath(folder))})" : row.Study });
            }
        }
        return rows;
    }

    /// <summary>The studies of one results.json; a damaged or foreign file is bad input naming the file and the place.</summary>
    private static List<StudyResult> ReadStudies(string path, JsonSerializerOptions options)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new BadInputException($"{path}: not valid JSON at line {(e.LineNumber ?? 0) + 1}: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]} (damaged or not written by peftqa?)"); }
        if (root is not JsonObject || root["studies"] is not JsonArray studies) throw new BadInputException($"{path}: no \"studies\" array (not a peftqa results.json?)");
        var results = new List<StudyResult>();
        for (int i = 0; i < studies.Count; i++)
        {
            try { results.Add(studies[i].Deserialize<StudyResult>(options) ?? throw new JsonException("null study")); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
            {
                throw new BadInputException($"{path}: $.studies[{i}]: not a study as peftqa writes it: {e.Message.Split(" Path:")[0]}");
            }
        }
        return results;
    }

    public static void Write(string folder, IReadOnlyList<ComparisonRow> rows, string title)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "compare.json"), JsonSerializer.Serialize(rows, new JsonSerializerOptions
        {
            WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        }));
        File.WriteAllText(Path.Combine(folder, "compare.md"), Markdown(rows, title));
        Charts.Comparison(Path.Combine(folder, "compare.png"), rows, title);
    }

    public static string Markdown(IReadOnlyList<ComparisonRow> rows, string title)
    {
        var metrics = ScoreOrder.Where(m => rows.Any(r => r.Scores.ContainsKey(m)))
            .Concat(rows.SelectMany(r => r.Scores.Keys).Distinct().Where(m => !ScoreOrder.Contains(m))).ToList();
        var text = new StringBuilder();
        text.AppendLine($"# {title}").AppendLine();
        text.AppendLine("Same data, seed and budget for every strategy. Scores are on the evaluation data after training (the mean over tasks when there are several).")
            .AppendLine();
        text.AppendLine("Peak memory is the process's resident peak while the study ran. Freed tensor memory stays in the process for reuse, so in a run " +
                        "with several studies a later study's peak includes what earlier ones left; run one strategy per run and combine them with " +
                        "`peftqa compare` for separate figures. Optimizer state is AdamW's two moments per trainable parameter.").AppendLine();
        text.AppendLine($"| strategy | trainable | {string.Join(" | ", metrics)} | train examples/s | s/step | optimizer state | peak memory | adapter on disk |");
        text.AppendLine($"|---|---:|{string.Concat(metrics.Select(_ => "---:|"))}---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var scores = metrics.Select(m => row.Scores.TryGetValue(m, out var v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "-");
            text.AppendLine(FormattableString.Invariant(
                $"| {row.Study} ({row.Strategy}) | {row.TrainablePercent:F3}% ({row.TrainableParameters:N0}) | {string.Join(" | ", scores)} | {row.TrainingExamplesPerSecond:F1} | {row.SecondsPerStep:F2} | {row.OptimizerStateMegabytes:F1} MB | {row.PeakMemoryMegabytes:F0} MB | {row.AdapterMegabytes:F2} MB |"));
        }
        return text.ToString();
    }
}
