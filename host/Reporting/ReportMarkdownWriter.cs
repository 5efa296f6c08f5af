using System.Globalization;
using System.Text;
using PeftQa.Host.Foundation;
using PeftQa.Host.Planning;
using PeftQa.Host.Studies;

namespace PeftQa.Host.Reporting;

/// <summary>
/// <c>report.md</c>: per study, the matrix R[i][j] (score on task j after training through task i) with the baseline b[j],
/// the continual metrics (ACC, BWT, FWT, forgetting) with their definitions, routing accuracy where evaluation routes,
/// and PNG charts in <c>charts/</c>: a heatmap of R and each task's F1 through the sequence. Readable without the JSON.
/// Every run gets one, continual or not: a run of one task is a sequence of one.
/// </summary>
public static class ReportMarkdownWriter
{
    public static void Write(string runFolder, RunPlan plan, IReadOnlyList<StudyResult> studies, StudyStatistics statistics)
    {
        var charts = Path.Combine(runFolder, RunFolderFiles.ChartsFolder);
        Directory.CreateDirectory(charts);
        var scores = ContinualSummary.ReportedScores
            .Where(s => plan.Metrics.Any(m => m.Name == s))
            .DefaultIfEmpty(plan.Metrics[0].Name)
            .ToList();
        var text = new StringBuilder();
        AppendHeader(text, plan, studies);
        ForgettingSummary.Append(text, ForgettingSummary.Of(studies, statistics, scores[0]), statistics, studies, scores[0], charts);
        AppendFinalScores(text, plan, studies, statistics);
        AppendRetention(text, plan, studies, statistics, scores);
        foreach (var score in scores) AppendSummary(text, plan, studies, statistics, score);
        AppendDefinitions(text, plan);
        foreach (var study in studies) AppendStudy(text, plan, study, scores, charts);
        var path = Path.Combine(runFolder, RunFolderFiles.ReportFile);
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>The title, the model and precision, the task order, what R and b mean, and the retention tasks.</summary>
    private static void AppendHeader(StringBuilder text, RunPlan plan, IReadOnlyList<StudyResult> studies)
    {
        var tasks = studies.Count > 0 ? studies[0].Tasks : [];
        var order = string.Join(" → ", tasks.Select((t, i) => $"{i + 1}. {t}"));
        text.AppendLine($"# {plan.Recipe.Name}: scores through the task sequence").AppendLine();
        text.AppendLine($"Model {plan.Recipe.Model}, seed {plan.Recipe.Seed}{ComputedIn(studies)}. Tasks in training order: {order}.");
        text.AppendLine($"Every configuration starts from the same model, {StartedFrom(plan, studies)}; " +
                        "R[i][j] is the score on task j's evaluation data after training through task i; b[j] is the score before any training.");
        if (plan.RetentionTasks.Count > 0)
            text.AppendLine("Retention task(s), evaluated at the start and after every trained task but never trained: " +
                            $"{string.Join(", ", plan.RetentionTasks.Select(t => t.Name))}.");
        text.AppendLine();
    }

    /// <summary>Scores after the last task (the mean over tasks) with their intervals, and each study's difference from the reference.</summary>
    private static void AppendFinalScores(StringBuilder text, RunPlan plan, IReadOnlyList<StudyResult> studies, StudyStatistics statistics)
    {
        var metrics = plan.Metrics.Select(m => m.Name).ToList();
        bool compared = StudyStatistics.Compares(studies);
        text.AppendLine("## Scores after the last task").AppendLine();
        text.AppendLine($"Mean over tasks of each score after training on every task, with {statistics.Method}." +
                        (compared ? $" Reference: {statistics.ReferenceConfiguration(studies)} (of the same seed)." : "")).AppendLine();
        var differenceColumns = compared ? " | " + string.Join(" | ", metrics.Select(m => $"{m} - reference")) : "";
        text.AppendLine($"| configuration | {string.Join(" | ", metrics)}{differenceColumns} |");
        text.AppendLine($"|---|{string.Concat(metrics.Select(_ => "---:|"))}{(compared ? string.Concat(metrics.Select(_ => "---:|")) : "")}");
        foreach (var study in studies)
        {
            var final = statistics.Final(study);
            var cells = metrics.Select(m => final.TryGetValue(m, out var v) ? v.Format() : "-").ToList();
            if (compared)
            {
                var reference = statistics.ReferenceFor(study, studies);
                var difference = reference is null ? null : statistics.Difference(study, reference);
                cells.AddRange(metrics.Select(m => difference is null ? "reference" : difference.TryGetValue(m, out var d) ? d.Format() : "-"));
            }
            text.AppendLine($"| {study.Label} | {string.Join(" | ", cells)} |");
        }
        text.AppendLine();
        AppendSearchedSettings(text, plan, studies);
        text.Append(SeedSummary.Markdown(SeedSummary.Of(studies, metrics)));
    }

    /// <summary>The settings each configuration's search gave it, and how they were chosen.</summary>
    private static void AppendSearchedSettings(StringBuilder text, RunPlan plan, IReadOnlyList<StudyResult> studies)
    {
        var searched = studies.Where(s => s.Choices is not null).DistinctBy(s => s.ConfigurationLabel).ToList();
        if (searched.Count == 0) return;
        text.AppendLine(plan.Recipe.Selection is not null
            ? "Searched settings, chosen on validation paragraphs held out of the training data (every candidate's score: " +
              $"{RunFolderFiles.SelectionMarkdownFile}):"
            : "Searched settings (no selection: every combination is a configuration of its own, scored on the evaluation data):").AppendLine();
        text.AppendLine("| configuration | settings |").AppendLine("|---|---|");
        foreach (var study in searched) text.AppendLine($"| {study.ConfigurationLabel} | {study.Choices} |");
        text.AppendLine();
    }

    /// <summary>Per retention task: its score at the start and after each trained task per configuration, and the drop with its interval.</summary>
    private static void AppendRetention(
        StringBuilder text, RunPlan plan, IReadOnlyList<StudyResult> studies, StudyStatistics statistics, IReadOnlyList<string> scores)
    {
        var withRetention = studies.Where(s => s.Retention is { Count: > 0 }).ToList();
        if (withRetention.Count == 0) return;
        text.AppendLine("## Retention").AppendLine();
        text.AppendLine("Each retention task's score at the start (the starting model's) and after every trained task; " +
                        "the drop is the start minus the end " +
                        "(positive: forgotten), with its 95% paired bootstrap interval over the task's questions.").AppendLine();
        var tasks = withRetention[0].Tasks;
        foreach (var score in scores)
            for (int r = 0; r < withRetention[0].Retention!.Count; r++)
            {
                text.AppendLine($"{withRetention[0].Retention![r].Task}, {ScoreName(score)}:").AppendLine();
                text.AppendLine($"| configuration | start | {string.Join(" | ", tasks.Select((t, i) => $"after {i + 1}. {t}"))} | drop |");
                text.AppendLine($"|---|---:|{string.Concat(tasks.Select(_ => "---:|"))}---:|");
                foreach (var study in withRetention)
                {
                    var kept = study.Retention![r];
                    var drop = statistics.Continual(study, score)?.RetentionDrop(r)?.Format()
                               ?? (kept.Drop(score, study.Tasks.Count) is { } d ? F(d) : "-");
                    var afterEach = string.Join(" | ", kept.AfterTask.Select(a => Cell(a, score)));
                    text.AppendLine($"| {study.Label} | {Cell(kept.Start, score)} | {afterEach} | {drop} |");
                }
                text.AppendLine();
            }
    }

    /// <summary>One score's continual metrics per configuration, with routing accuracy, trainable share and training time.</summary>
    private static void AppendSummary(StringBuilder text, RunPlan plan, IReadOnlyList<StudyResult> studies, StudyStatistics statistics, string score)
    {
        var computed = studies
            .Select(s => (Study: s, Scores: ContinualSummary.Compute(s, plan.ContinualMetrics, [score]).FirstOrDefault()))
            .ToList();
        if (computed.All(c => c.Scores is null) || plan.ContinualMetrics.Count == 0) return;
        var metricColumns = string.Join(" | ", plan.ContinualMetrics.Select(m => m.Name.ToUpperInvariant()));
        text.AppendLine($"## Summary ({ScoreName(score)})").AppendLine();
        text.AppendLine($"| configuration | adapter | continual strategy | {metricColumns} | routing accuracy | trainable | training time |");
        text.AppendLine($"|---|---|---|{string.Concat(plan.ContinualMetrics.Select(_ => "---:|"))}---:|---:|---:|");
        foreach (var (study, result) in computed)
        {
            var intervals = statistics.Continual(study, score);
            var values = plan.ContinualMetrics.Select(m => intervals?.Metric(m.Name) is { } interval ? interval.Format()
                : result?.Metrics[m.Name].Value is { } v ? F(v) : "-");
            text.AppendLine($"| {study.Label} | {study.Strategy} | {study.Continual} | {string.Join(" | ", values)} | {RoutingSummary(study)} | " +
                            $"{100.0 * study.TrainableParameters / Math.Max(1, study.TotalParameters):F2}% | {study.TrainingSeconds:F0} s |");
        }
        text.AppendLine();
    }

    private static void AppendDefinitions(StringBuilder text, RunPlan plan)
    {
        if (plan.ContinualMetrics.Count == 0) return;
        text.AppendLine("Definitions (tasks numbered 1..T; R[T][j] is task j's score after the last task):");
        foreach (var metric in plan.ContinualMetrics) text.AppendLine($"- **{metric.Name.ToUpperInvariant()}**: {metric.Definition}.");
        text.AppendLine();
    }

    /// <summary>One study's section: what it trained, its matrix per score, its routing accuracy and its charts.</summary>
    private static void AppendStudy(StringBuilder text, RunPlan plan, StudyResult study, IReadOnlyList<string> scores, string charts)
    {
        text.AppendLine($"## {study.Label}").AppendLine();
        text.AppendLine($"Adapter {study.Strategy}, continual strategy {study.Continual} ({study.ContinualStrategy}), " +
                        $"evaluation routing: {study.Routing}; " +
                        $"{study.TrainableParameters:N0} trainable parameters of {study.TotalParameters:N0}.").AppendLine();
        AppendTraining(text, study);
        foreach (var score in scores) AppendMatrix(text, plan, study, score);
        AppendRouting(text, study);
        if (study.AfterTask.Count > 0) AppendCharts(text, study, scores[0], charts);
    }

    /// <summary>R[i][j] of one score, b[j] above it, and each task's continual metrics below.</summary>
    private static void AppendMatrix(StringBuilder text, RunPlan plan, StudyResult study, string score)
    {
        text.AppendLine($"{ScoreName(score)}, R[i][j]:").AppendLine();
        text.AppendLine($"| after training on ↓ / evaluated on → | {string.Join(" | ", study.Tasks)} |");
        text.AppendLine($"|---|{string.Concat(study.Tasks.Select(_ => "---:|"))}");
        text.AppendLine($"| before training (b) | {string.Join(" | ", study.Baseline.Select(b => Cell(b, score)))} |");
        for (int i = 0; i < study.AfterTask.Count; i++)
            text.AppendLine($"| {i + 1}. {study.Tasks[i]} | {string.Join(" | ", study.AfterTask[i].Select(r => Cell(r, score)))} |");
        text.AppendLine();
        if (ContinualSummary.Compute(study, plan.ContinualMetrics, [score]).FirstOrDefault() is not { } result) return;
        var perTask = result.Metrics.Where(m => m.Value.PerTask is not null).ToList();
        if (perTask.Count == 0) return;
        var tasks = study.Tasks.Select((t, j) =>
            $"{t}: " + string.Join(", ", perTask.Select(m => $"{m.Key} {(m.Value.PerTask![j] is { } v ? F(v) : "-")}")));
        text.AppendLine($"Per task ({ScoreName(score)}): " + string.Join("; ", tasks) + ".").AppendLine();
    }

    /// <summary>Where early stopping ended each task and which weights went on, and whose training the study adopted.</summary>
    private static void AppendTraining(StringBuilder text, StudyResult study)
    {
        if (study.TrainingReusedFrom is { } source)
            text.AppendLine($"Not trained again: it trains exactly as {source} did, whose weights it adopted " +
                            "(the training figures are that study's).").AppendLine();
        for (int i = 0; i < study.Training.Count; i++)
        {
            if (study.Training[i].EarlyStopping is not { } stop) continue;
            var best = stop.BestStep is { } step ? $"best validation {stop.Metric} {F(stop.BestScore ?? 0)} at step {step}" : "no validation";
            text.AppendLine(stop.Reason == "patience"
                ? $"Early stopping, {study.Tasks[i]}: **stopped at step {stop.StoppedAt} of {study.Training[i].BudgetSteps}** " +
                  $"({stop.Explanation}); {best}{(stop.KeptBest && stop.BestStep != stop.StoppedAt ? ", whose weights were kept" : "")}."
                : $"Early stopping, {study.Tasks[i]}: trained the whole budget of {stop.StoppedAt} steps ({stop.Explanation}); " +
                  $"{best}{(stop.KeptBest && stop.BestStep != stop.StoppedAt ? ", whose weights were kept" : "")}.").AppendLine();
        }
    }

    private static void AppendRouting(StringBuilder text, StudyResult study)
    {
        if (study.RoutingAccuracy is not { Count: > 0 } routing) return;
        text.AppendLine("Routing accuracy (share of each task's evaluation windows sent to that task's own adapter, " +
                        "by nearest [CLS] centroid):").AppendLine();
        text.AppendLine($"| after training on | {string.Join(" | ", study.Tasks)} |");
        text.AppendLine($"|---|{string.Concat(study.Tasks.Select(_ => "---:|"))}");
        for (int i = 0; i < routing.Count; i++)
            text.AppendLine($"| {i + 1}. {study.Tasks[i]} | {string.Join(" | ", routing[i].Select(v => v is { } a ? $"{a:F1}%" : "-"))} |");
        text.AppendLine();
    }

    /// <summary>Draws the study's heatmap and through-the-sequence charts and links them.</summary>
    private static void AppendCharts(StringBuilder text, StudyResult study, string score, string charts)
    {
        var heatmap = RunFolderFiles.HeatmapChartFile(study.Label);
        var lines = RunFolderFiles.ThroughSequenceChartFile(study.Label);
        Charts.AccuracyHeatmap(Path.Combine(charts, heatmap), study, score, $"{study.Label}: {ScoreName(score)} R[i][j]");
        Charts.ThroughSequence(Path.Combine(charts, lines), study, score, $"{study.Label}: each task's {ScoreName(score)} through the sequence");
        var folder = RunFolderFiles.ChartsFolder;
        text.AppendLine($"![{study.Label} heatmap]({folder}/{heatmap}) ![{study.Label} through the sequence]({folder}/{lines})").AppendLine();
    }

    /// <summary>", computed in fp32 (auto: ...)" from the studies' own record; nothing for runs from before precision modes.</summary>
    private static string ComputedIn(IReadOnlyList<StudyResult> studies) =>
        studies.Select(s => s.Precision).FirstOrDefault(p => p is not null) is { } precision ? $", computed in {precision}" : "";

    /// <summary>What the studies started from: the recipe's model, and whether it already answered questions (a fine-tuned QA checkpoint).</summary>
    private static string StartedFrom(RunPlan plan, IReadOnlyList<StudyResult> studies) =>
        (studies.FirstOrDefault()?.StartedFrom ?? plan.Recipe.Model) is var model
        && model.StartsWith(Modeling.ModelSources.BuiltinPrefix, StringComparison.OrdinalIgnoreCase)
            ? $"the built-in base model {model} (with a fresh QA head)"
            : $"the checkpoint {model}";

    private static string RoutingSummary(StudyResult study)
    {
        if (study.RoutingAccuracy is not { Count: > 0 } routing) return study.Routing == "task id" ? "given" : "-";
        var last = routing[^1].Where(v => v is not null).Select(v => v!.Value).ToList();
        return last.Count == 0 ? "-" : $"{last.Average():F1}%";
    }

    private static string ScoreName(string score) => score switch { "f1" => "F1", "exact_match" => "EM", _ => score };

    private static string Cell(IReadOnlyDictionary<string, double> scores, string score) => scores.TryGetValue(score, out var v) ? F(v) : "-";

    private static string F(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
