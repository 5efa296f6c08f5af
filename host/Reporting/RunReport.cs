using System.Text.Json;
using PeftQa.Host.Foundation;
using System.Text.Json.Nodes;
using PeftQa.Host.Studies;
using Spectre.Console;
using PeftQa.Host.Planning;

namespace PeftQa.Host.Reporting;

/// <summary>The run's results: <c>results.json</c> (everything) and a table on standard output (every metric before and after each task).</summary>
public static class RunReport
{
    public static JsonObject ToJson(RunPlan plan, IReadOnlyList<StudyResult> studies, StudyStatistics statistics)
    {
        var json = new JsonObject
        {
            ["recipe"] = plan.Recipe.Name,
            ["model"] = plan.Recipe.Model,
            ["seed"] = plan.Recipe.Seed,
            ["metrics"] = new JsonObject(plan.Metrics.Select(m => KeyValuePair.Create(m.Name, (JsonNode?)(m.Signature ?? m.Description)))),
            ["continualMetrics"] = new JsonObject(plan.ContinualMetrics.Select(m => KeyValuePair.Create(m.Name, (JsonNode?)m.Definition))),
            ["statistics"] = statistics.Method,
            ["reference"] = StudyStatistics.Compares(studies) ? statistics.ReferenceConfiguration(studies) : null,
            ["studies"] = new JsonArray(studies.Select(s => (JsonNode?)StudyJson(s, plan, statistics, statistics.ReferenceFor(s, studies))).ToArray()),
            ["acrossSeeds"] = new JsonArray(SeedSummary.Of(studies, plan.Metrics.Select(m => m.Name)).Select(s => (JsonNode?)s.ToJson()).ToArray()),
        };
        return json;
    }

    private static readonly JsonSerializerOptions CamelCase = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>A study as results.json holds it: everything measured, plus its continual metrics per score once every task is trained.</summary>
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
            node["differenceFromReference"] = new JsonObject(statistics.Difference(study, reference).Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value.ToJson())));
        return node;
    }

    /// <summary>
    /// The intervals of the accuracy matrix and what is computed from it, per score that can be resampled by question:
    /// <c>intervals[score]</c> (each b and R entry), <c>ci95</c> on each continual metric, a <c>drop</c> with its interval on
    /// each retention entry, and with a reference <c>continualDifferenceFromReference</c> (paired, same resampled questions).
    /// </summary>
    private static void AddContinualIntervals(JsonObject node, StudyResult study, RunPlan plan, StudyStatistics statistics, StudyResult? reference)
    {
        var matrices = new JsonObject();
        var differences = new JsonObject();
        int trained = study.Tasks.Count;
        if (node["retention"] is JsonArray kept)
            for (int r = 0; r < kept.Count; r++)
                if (kept[r] is JsonObject entry)
                    entry["drop"] = new JsonObject(plan.Metrics.Select(m => (m.Name, Drop: study.Retention![r].Drop(m.Name, trained))).Where(d => d.Drop is not null)
                        .Select(d => KeyValuePair.Create(d.Name, (JsonNode?)new JsonObject { ["mean"] = d.Drop })));
        foreach (var metric in plan.Metrics.Select(m => m.Name))
        {
            if (statistics.Continual(study, metric) is not { } intervals) continue;
            int stages = study.AfterTask.Count + 1;
            matrices[metric] = new JsonObject
            {
                ["baseline"] = Intervals(Enumerable.Range(0, trained).Select(j => intervals.Score(0, j))),
                ["afterTask"] = new JsonArray(Enumerable.Range(1, stages - 1).Select(i => (JsonNode?)Intervals(Enumerable.Range(0, trained).Select(j => intervals.Score(i, j)))).ToArray()),
            };
            if (node["continualMetrics"]?[metric] is JsonObject values)
                foreach (var (name, value) in values)
                    if (intervals.Metric(name) is { } interval && value is JsonObject entry) entry["ci95"] = new JsonArray(interval.Low, interval.High);
            if (node["retention"] is JsonArray retention)
                for (int r = 0; r < retention.Count; r++)
                    if (retention[r] is JsonObject entry && intervals.RetentionDrop(r) is { } drop)
                        ((entry["drop"] ??= new JsonObject()) as JsonObject)![metric] = drop.ToJson();
            if (reference is not null && statistics.Continual(study, metric, reference) is { } difference)
            {
                var perMetric = new JsonObject();
                foreach (var name in plan.ContinualMetrics.Select(m => m.Name))
                    if (difference.Metric(name) is { } d) perMetric[name] = AsDifference(d);
                for (int r = 0; r < (study.Retention?.Count ?? 0); r++)
                    if (difference.RetentionDrop(r) is { } d) perMetric[$"retentionDrop:{study.Retention![r].Task}"] = AsDifference(d);
                differences[metric] = perMetric;
            }
        }
        node["intervals"] = matrices;
        if (reference is not null) node["continualDifferenceFromReference"] = differences;
    }

    private static JsonArray Intervals(IEnumerable<Evaluation.ScoreInterval?> values) => new(values.Select(v => (JsonNode?)v?.ToJson()).ToArray());

    private static JsonObject AsDifference(Evaluation.ScoreInterval interval) => new Evaluation.ScoreDifference(interval.Mean, interval.Low, interval.High).ToJson();

    public static void Write(string runFolder, RunPlan plan, IReadOnlyList<StudyResult> studies, StudyStatistics statistics)
    {
        var path = Path.Combine(runFolder, "results.json");
        AtomicFile.WriteAllText(path, ToJson(plan, studies, statistics).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public static void Print(RunPlan plan, IReadOnlyList<StudyResult> studies, StudyStatistics statistics, CliConsole console)
    {
        var terminal = console.Terminal(width: 160);
        var metricNames = plan.Metrics.Select(m => m.Name).ToList();
        var table = new Table().Title($"{plan.Recipe.Name}: scores on each task's evaluation data");
        table.AddColumns(["Study", "Trainable", "Evaluated on", "Stage", .. metricNames]);
        foreach (var study in studies)
        {
            string trainable = $"{100.0 * study.TrainableParameters / study.TotalParameters:F2}%";
            for (int j = 0; j < study.Tasks.Count; j++)
            {
                table.AddRow([Markup.Escape(study.Label), trainable, Markup.Escape(study.Tasks[j]), "before training",
                    .. metricNames.Select(m => Format(study.Baseline[j], m))]);
                for (int i = 0; i < study.AfterTask.Count; i++)
                    table.AddRow(["", "", "", Markup.Escape($"after {study.Tasks[i]}"), .. metricNames.Select(m => Format(study.AfterTask[i][j], m))]);
            }
            foreach (var retention in study.Retention ?? [])
            {
                table.AddRow([Markup.Escape(study.Label), trainable, Markup.Escape($"{retention.Task} (retention)"), "at the start", .. metricNames.Select(m => Format(retention.Start, m))]);
                for (int i = 0; i < retention.AfterTask.Count; i++)
                    table.AddRow(["", "", "", Markup.Escape($"after {study.Tasks[i]}"), .. metricNames.Select(m => Format(retention.AfterTask[i], m))]);
            }
        }
        terminal.Write(table);
        terminal.Write(IntervalTable(plan, studies, statistics, metricNames));
        var acrossSeeds = SeedSummary.Of(studies, metricNames);
        if (acrossSeeds.Count > 0) terminal.WriteLine(SeedSummary.Markdown(acrossSeeds));

        // Forgetting at a glance: the continual metrics of the first reported score, once every task is trained.
        var score = ContinualSummary.ReportedScores.FirstOrDefault(s => metricNames.Contains(s)) ?? metricNames[0];
        var continual = studies.Select(s => (Study: s, Scores: ContinualSummary.Compute(s, plan.ContinualMetrics, [score]).FirstOrDefault()))
            .Where(s => s.Scores is not null && s.Study.Tasks.Count > 1).ToList();
        if (continual.Count > 0)
        {
            var summary = new Table().Title($"{plan.Recipe.Name}: continual metrics on {score} (definitions in report.md)");
            summary.AddColumns(["Study", .. plan.ContinualMetrics.Select(m => m.Name.ToUpperInvariant())]);
            foreach (var (study, scores) in continual)
                summary.AddRow([Markup.Escape(study.Label), .. plan.ContinualMetrics.Select(m => scores!.Metrics[m.Name].Value is { } v
                    ? v.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "-")]);
            terminal.Write(summary);
        }
        foreach (var metric in plan.Metrics.Where(m => m.Signature is not null))
            terminal.WriteLine($"{metric.Name}: {metric.Signature}");
    }

    /// <summary>Each study's scores after the last task with their intervals, and its difference from the reference.</summary>
    private static Table IntervalTable(RunPlan plan, IReadOnlyList<StudyResult> studies, StudyStatistics statistics, IReadOnlyList<string> metricNames)
    {
        bool compared = StudyStatistics.Compares(studies);
        var table = new Table().Title($"{Markup.Escape(plan.Recipe.Name)}: scores after the last task [[95% interval]]" +
                                      (compared ? $", and minus {Markup.Escape(statistics.ReferenceConfiguration(studies)!)}'s (* the interval excludes 0)" : ""));
        table.AddColumns(["Study", .. metricNames, .. compared ? metricNames.Select(m => $"{m} - reference") : []]);
        foreach (var study in studies)
        {
            var final = statistics.Final(study);
            var reference = statistics.ReferenceFor(study, studies);
            var difference = reference is null ? null : statistics.Difference(study, reference);
            table.AddRow([Markup.Escape(study.Label), .. metricNames.Select(m => final.TryGetValue(m, out var v) ? Markup.Escape(v.Format()) : "-"),
                .. compared ? metricNames.Select(m => difference is null ? "reference" : difference.TryGetValue(m, out var d) ? Markup.Escape(d.Format()) : "-") : []]);
        }
        return table;
    }

    private static string Format(IReadOnlyDictionary<string, double> scores, string metric) =>
        scores.TryGetValue(metric, out var value) ? value.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "-";
}
