using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Reporting;

/// <summary>One study's learning curve on one task: the curve sample's scores by step and by training seconds.</summary>
public sealed record LearningCurve(string Study, string Task, IReadOnlyList<LearningCurve.Point> Points)
{
    /// <summary>The step early stopping stopped the task at (its <c>"event": "early_stop"</c> line); null when it did not.</summary>
    public int? StoppedAt { get; init; }

    public sealed record Point(int Step, double TrainingSeconds, IReadOnlyDictionary<string, double> Scores);

    /// <summary>
    /// A run folder's curves for <paramref name="studies"/>, in their order: from each study's own metrics.jsonl (and
    /// the run's, in run folders from before studies had their own).
    /// </summary>
    public static List<LearningCurve> ReadRun(string runFolder, IEnumerable<string> studies)
    {
        var shared = Read(Path.Combine(runFolder, RunFolderFiles.MetricsFile));
        return studies.SelectMany(study => shared.Where(c => c.Study == study)
            .Concat(Read(Path.Combine(Studies.StudyFolder.For(runFolder, study), RunFolderFiles.MetricsFile)))).ToList();
    }

    /// <summary>The curves in a run's metrics.jsonl (lines with <c>"event": "curve"</c>), in study and task order; none when it has none.</summary>
    public static List<LearningCurve> Read(string metricsPath)
    {
        if (!File.Exists(metricsPath)) return [];
        var points = new List<(string Study, string Task, Point Point)>();
        var stops = new Dictionary<(string, string), int>();
        foreach (var line in File.ReadLines(metricsPath))
        {
            JsonNode? node;
            try { node = JsonNode.Parse(line); }
            catch (JsonException) { continue; } // a line cut short by a crash
            if (node?["event"]?.GetValue<string>() == "early_stop")
                stops[(node["study"]!.GetValue<string>(), node["task"]!.GetValue<string>())] = node["step"]!.GetValue<int>();
            if (node?["event"]?.GetValue<string>() != "curve") continue;
            var scores = node.AsObject()
                .Where(p => p.Key is not ("study" or "task" or "step" or "event" or "training_seconds") && p.Value is JsonValue)
                .ToDictionary(p => p.Key, p => p.Value!.GetValue<double>());
            points.Add((node["study"]!.GetValue<string>(), node["task"]!.GetValue<string>(),
                new Point(node["step"]!.GetValue<int>(), node["training_seconds"]!.GetValue<double>(), scores)));
        }
        return points.GroupBy(p => (p.Study, p.Task))
            .Select(g => new LearningCurve(g.Key.Study, g.Key.Task, g.Select(p => p.Point).OrderBy(p => p.Step).ToList())
            {
                StoppedAt = stops.TryGetValue(g.Key, out int stop) ? stop : null,
            }).ToList();
    }
}
