using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Foundation;
using PeftQa.Host.Planning;
using PeftQa.Host.Studies;

namespace PeftQa.Host.Reporting;

/// <summary>
/// <c>results.json</c>: everything the run measured, per study, with the continual metrics, their intervals and each
/// study's difference from the reference. <c>peftqa compare</c> reads it back (<see cref="ResultsJsonReader"/>).
/// </summary>
public static class ResultsJsonWriter
{
    private static readonly JsonSerializerOptions CamelCase = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void Write(string runFolder, RunPlan plan, IReadOnlyList<StudyResult> studies, StudyStatistics statistics)
    {
        var path = Path.Combine(runFolder, RunFolderFiles.ResultsFile);
        AtomicFile.WriteAllText(path, ToJson(plan, studies, statistics).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public static JsonObject ToJson(RunPlan plan, IReadOnlyList<StudyResult> studies, StudyStatistics statistics)
    {
        var metricNames = plan.Metrics.Select(m => m.Name);
        var json = new JsonObject
        {
            ["recipe"] = plan.Recipe.Name,
            ["model"] = plan.Recipe.Model,
            ["seed"] = plan.Recipe.Seed,
            ["metrics"] = new JsonObject(plan.Metrics.Select(m => KeyValuePair.Create(m.Name, (JsonNode?)(m.Signature ?? m.Description)))),
            ["continualMetrics"] = new JsonObject(plan.ContinualMetrics.Select(m => KeyValuePair.Create(m.Name, (JsonNode?)m.Definition))),
            ["statistics"] = statistics.Method,
            ["reference"] = StudyStatistics.Compares(studies) ? statistics.ReferenceConfiguration(studies) : null,
            ["studies"] = new JsonArray(studies
                .Select(s => (JsonNode?)StudyJson(s, plan, statistics, statistics.ReferenceFor(s, studies)))
                .ToArray()),
            ["acrossSeeds"] = new JsonArray(SeedSummary.Of(studies, metricNames).Select(s => (JsonNode?)s.ToJson()).ToArray()),
        };
        return json;
    }

    /// <summary>
    /// A study as results.json holds it: everything measured, plus its continual metrics per score once every task is
    /// trained.
    /// </summary>
    private static JsonNode StudyJson(StudyResult study, RunPlan plan, StudyStatistics statistics, StudyResult? reference)
    {
        var node = JsonSerializer.SerializeToNode(study, CamelCase)!.AsObject();
        var continual = new JsonObject();
        foreach (var scores in ContinualSummary.Compute(study, plan.ContinualMetrics, plan.Metrics.Select(m => m.Name)))
            continual[scores.Score] = new JsonObject(scores.Metrics.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)new JsonObject
            {
                ["value"] = m.Value.Value,
                ["perTask"] = m.Value.PerTask is null ? null : new JsonArray(m.Value.PerTask.Select(v => (JsonNode?)v).ToArray()),
            })));
        node["continualMetrics"] = continual;
        AddContinualIntervals(node, study, plan, statistics, reference);
        node["finalScores"] = new JsonObject(statistics.Final(study).Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value.ToJson())));
        if (reference is not null)
            node["differenceFromReference"] = new JsonObject(statistics.Difference(study, reference)
                .Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value.ToJson())));
        return node;
    }

    /// <summary>
    /// The intervals of the accuracy matrix and what is computed from it, per score that can be resampled by question:
    /// <c>intervals[score]</c> (each b and R entry), <c>ci95</c> on each continual metric, a <c>drop</c> with its interval on
    /// each retention entry, and with a reference <c>continualDifferenceFromReference</c> (paired, same resampled questions).
    /// </summary>
    private static void AddContinualIntervals(
        JsonObject node, StudyResult study, RunPlan plan, StudyStatistics statistics, StudyResult? reference)
    {
        var matrices = new JsonObject();
        var differences = new JsonObject();
        AddRetentionDrops(node, study, plan);
        foreach (var metric in plan.Metrics.Select(m => m.Name))
        {
            if (statistics.Continual(study, metric) is not { } intervals) continue;
            matrices[metric] = MatrixIntervals(study, intervals);
            AddMetricIntervals(node, metric, intervals);
            if (reference is not null && statistics.Continual(study, metric, reference) is { } difference)
                differences[metric] = ContinualDifferences(study, plan, difference);
        }
        node["intervals"] = matrices;
        if (reference is not null) node["continualDifferenceFromReference"] = differences;
    }

    /// <summary>Each retention entry's drop per score (its mean; the intervals are added per score after).</summary>
    private static void AddRetentionDrops(JsonObject node, StudyResult study, RunPlan plan)
    {
        int trained = study.Tasks.Count;
        if (node["retention"] is not JsonArray kept) return;
        for (int r = 0; r < kept.Count; r++)
            if (kept[r] is JsonObject entry)
                entry["drop"] = new JsonObject(plan.Metrics
                    .Select(m => (m.Name, Drop: study.Retention![r].Drop(m.Name, trained)))
                    .Where(d => d.Drop is not null)
                    .Select(d => KeyValuePair.Create(d.Name, (JsonNode?)new JsonObject { ["mean"] = d.Drop })));
    }

    /// <summary>The intervals of b[j] and of every R[i][j] of one score.</summary>
    private static JsonObject MatrixIntervals(StudyResult study, ContinualIntervals intervals)
    {
        int trained = study.Tasks.Count;
        int stages = study.AfterTask.Count + 1;
        return new JsonObject
        {
            ["baseline"] = Intervals(Enumerable.Range(0, trained).Select(j => intervals.Score(0, j))),
            ["afterTask"] = new JsonArray(Enumerable.Range(1, stages - 1)
                .Select(i => (JsonNode?)Intervals(Enumerable.Range(0, trained).Select(j => intervals.Score(i, j))))
                .ToArray()),
        };
    }

    /// <summary>The <c>ci95</c> of each continual metric of one score, and its interval on each retention drop.</summary>
    private static void AddMetricIntervals(JsonObject node, string metric, ContinualIntervals intervals)
    {
        if (node["continualMetrics"]?[metric] is JsonObject values)
            foreach (var (name, value) in values)
                if (intervals.Metric(name) is { } interval && value is JsonObject entry) entry["ci95"] = new JsonArray(interval.Low, interval.High);
        if (node["retention"] is JsonArray retention)
            for (int r = 0; r < retention.Count; r++)
                if (retention[r] is JsonObject entry && intervals.RetentionDrop(r) is { } drop)
                    ((entry["drop"] ??= new JsonObject()) as JsonObject)![metric] = drop.ToJson();
    }

    /// <summary>One score's paired differences from the reference: each continual metric's and each retention drop's.</summary>
    private static JsonObject ContinualDifferences(StudyResult study, RunPlan plan, ContinualIntervals difference)
    {
        var perMetric = new JsonObject();
        foreach (var name in plan.ContinualMetrics.Select(m => m.Name))
            if (difference.Metric(name) is { } d) perMetric[name] = AsDifference(d);
        for (int r = 0; r < (study.Retention?.Count ?? 0); r++)
            if (difference.RetentionDrop(r) is { } d) perMetric[$"retentionDrop:{study.Retention![r].Task}"] = AsDifference(d);
        return perMetric;
    }

    private static JsonArray Intervals(IEnumerable<ScoreInterval?> values) => new(values.Select(v => (JsonNode?)v?.ToJson()).ToArray());

    private static JsonObject AsDifference(ScoreInterval interval) => new ScoreDifference(interval.Mean, interval.Low, interval.High).ToJson();
}
