using System.Globalization;
using PeftQa.Host.Foundation;
using PeftQa.Host.Planning;
using PeftQa.Host.Studies;
using Spectre.Console;

namespace PeftQa.Host.Reporting;

/// <summary>
/// The run's results on standard output: every metric before and after each task, the scores after the last task with
/// their intervals, the across-seeds table and the continual metrics of the first reported score (what results.json and
/// report.md hold in full).
/// </summary>
public static class ResultsTable
{
    public static void Print(RunPlan plan, IReadOnlyList<StudyResult> studies, StudyStatistics statistics, CliConsole console)
    {
        var terminal = console.Terminal(width: 160);
        var metricNames = plan.Metrics.Select(m => m.Name).ToList();
        terminal.Write(ScoreTable(plan, studies, metricNames));
        terminal.Write(IntervalTable(plan, studies, statistics, metricNames));
        var acrossSeeds = SeedSummary.Of(studies, metricNames);
        if (acrossSeeds.Count > 0) terminal.WriteLine(SeedSummary.Markdown(acrossSeeds));
        if (ContinualTable(plan, studies, metricNames) is { } continual) terminal.Write(continual);
        foreach (var metric in plan.Metrics.Where(m => m.Signature is not null))
            terminal.WriteLine($"{metric.Name}: {metric.Signature}");
    }

    /// <summary>Every study's scores on each task before training and after each trained task, then its retention tasks'.</summary>
    private static Table ScoreTable(RunPlan plan, IReadOnlyList<StudyResult> studies, IReadOnlyList<string> metricNames)
    {
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
                    table.AddRow(["", "", "", Markup.Escape($"after {study.Tasks[i]}"),
                        .. metricNames.Select(m => Format(study.AfterTask[i][j], m))]);
            }
            foreach (var retention in study.Retention ?? [])
            {
                table.AddRow([Markup.Escape(study.Label), trainable, Markup.Escape($"{retention.Task} (retention)"), "at the start",
                    .. metricNames.Select(m => Format(retention.Start, m))]);
                for (int i = 0; i < retention.AfterTask.Count; i++)
                    table.AddRow(["", "", "", Markup.Escape($"after {study.Tasks[i]}"),
                        .. metricNames.Select(m => Format(retention.AfterTask[i], m))]);
            }
        }
        return table;
    }

    /// <summary>Each study's scores after the last task with their intervals, and its difference from the reference.</summary>
    private static Table IntervalTable(
        RunPlan plan, IReadOnlyList<StudyResult> studies, StudyStatistics statistics, IReadOnlyList<string> metricNames)
    {
        bool compared = StudyStatistics.Compares(studies);
        var reference = compared
            ? $", and minus {Markup.Escape(statistics.ReferenceConfiguration(studies)!)}'s (* the interval excludes 0)"
            : "";
        var table = new Table().Title($"{Markup.Escape(plan.Recipe.Name)}: scores after the last task [[95% interval]]" + reference);
        table.AddColumns(["Study", .. metricNames, .. compared ? metricNames.Select(m => $"{m} - reference") : []]);
        foreach (var study in studies)
        {
            var final = statistics.Final(study);
            var referenceStudy = statistics.ReferenceFor(study, studies);
            var difference = referenceStudy is null ? null : statistics.Difference(study, referenceStudy);
            table.AddRow([Markup.Escape(study.Label),
                .. metricNames.Select(m => final.TryGetValue(m, out var v) ? Markup.Escape(v.Format()) : "-"),
                .. compared
                    ? metricNames.Select(m => difference is null ? "reference"
                        : difference.TryGetValue(m, out var d) ? Markup.Escape(d.Format()) : "-")
                    : []]);
        }
        return table;
    }

    /// <summary>
    /// Forgetting at a glance: the continual metrics of the first reported score, once every task is trained; null when
    /// no study trained more than one task.
    /// </summary>
    private static Table? ContinualTable(RunPlan plan, IReadOnlyList<StudyResult> studies, IReadOnlyList<string> metricNames)
    {
        var score = ContinualSummary.ReportedScores.FirstOrDefault(s => metricNames.Contains(s)) ?? metricNames[0];
        var continual = studies
            .Select(s => (Study: s, Scores: ContinualSummary.Compute(s, plan.ContinualMetrics, [score]).FirstOrDefault()))
            .Where(s => s.Scores is not null && s.Study.Tasks.Count > 1).ToList();
        if (continual.Count == 0) return null;
        var summary = new Table().Title($"{plan.Recipe.Name}: continual metrics on {score} (definitions in {RunFolderFiles.ReportFile})");
        summary.AddColumns(["Study", .. plan.ContinualMetrics.Select(m => m.Name.ToUpperInvariant())]);
        foreach (var (study, scores) in continual)
            summary.AddRow([Markup.Escape(study.Label), .. plan.ContinualMetrics.Select(m => scores!.Metrics[m.Name].Value is { } v
                ? v.ToString("F2", CultureInfo.InvariantCulture) : "-")]);
        return summary;
    }

    private static string Format(IReadOnlyDictionary<string, double> scores, string metric) =>
        scores.TryGetValue(metric, out var value) ? value.ToString("F2", CultureInfo.InvariantCulture) : "-";
}
