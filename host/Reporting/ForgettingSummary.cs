using System.Text;
using PeftQa.Host.Studies;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Reporting;

/// <summary>
/// The plain-language opening of a forgetting report: which configuration forgot least (a retention task's drop from
/// the start, else BWT), which learned the new tasks best (ACC: the mean over the trained tasks after the last), and
/// the trade-off between them against the reference, with the numbers and 95% intervals they rest on; plus the chart of
/// retention against ACC.
/// </summary>
public static class ForgettingSummary
{
    /// <summary>
    /// One configuration's figures: ACC and, with a retention task, its drop (positive: forgotten), each with its
    /// interval where answers were kept.
    /// </summary>
    public sealed record Figures(StudyResult Study, ScoreInterval Acc, ScoreInterval? Drop, ScoreInterval? Bwt);

    public static IReadOnlyList<Figures> Of(IReadOnlyList<StudyResult> studies, StudyStatistics statistics, string score)
    {
        var figures = new List<Figures>();
        foreach (var study in studies)
        {
            if (study.AfterTask.Count != study.Tasks.Count || study.Tasks.Count == 0) continue;
            var intervals = statistics.Continual(study, score);
            var acc = statistics.Final(study).GetValueOrDefault(score) ?? Point(study.Final.GetValueOrDefault(score));
            ScoreInterval? drop = study.Retention is { Count: > 0 } kept && kept[0].Drop(score, study.Tasks.Count) is { } d
                ? intervals?.RetentionDrop(0) ?? Point(d) : null;
            ScoreInterval? bwt = intervals?.Metric("bwt") ?? (ContinualSummary.Matrix(study, score) is { Tasks: > 1 } m
                ? Point(Enumerable.Range(0, m.Tasks - 1).Average(j => m.R(m.Tasks - 1, j) - m.R(j, j))) : null);
            figures.Add(new Figures(study, acc, drop, bwt));
        }
        return figures;
    }

    /// <summary>The "In short" section, or nothing for a run of one configuration without a retention task.</summary>
    public static void Append(
        StringBuilder text,
        IReadOnlyList<Figures> figures,
        StudyStatistics statistics,
        IReadOnlyList<StudyResult> studies,
        string score,
        string charts)
    {
        if (figures.Count == 0 || (figures.Count == 1 && figures[0].Drop is null)) return;
        string name = score switch { "f1" => "F1", "exact_match" => "EM", _ => score };
        var retentionTask = figures[0].Study.Retention is { Count: > 0 } r ? r[0].Task : null;
        text.AppendLine("## In short").AppendLine();
        var bestKept = retentionTask is not null
            ? figures.Where(f => f.Drop is not null).MinBy(f => f.Drop!.Mean)!
            : figures.Where(f => f.Bwt is not null).MaxBy(f => f.Bwt!.Mean) ?? figures[0];
        var bestLearned = figures.MaxBy(f => f.Acc.Mean)!;
        text.AppendLine(retentionTask is not null
            ? $"- **Forgot least:** {bestKept.Study.Label}: {retentionTask} {name} fell by {bestKept.Drop!.Format()} " +
              $"from the start ({Start(bestKept.Study, score)})."
            : $"- **Forgot least:** {bestKept.Study.Label}: BWT {bestKept.Bwt?.Format() ?? "-"} {name} " +
              "(the mean change of each earlier task from right after its training to the end).");
        text.AppendLine($"- **Learned the new tasks best:** {bestLearned.Study.Label}: ACC {bestLearned.Acc.Format()} {name} " +
                        $"over the {bestLearned.Study.Tasks.Count} trained task(s).");
        text.AppendLine(bestKept == bestLearned
            ? $"- **Trade-off:** none here: {bestKept.Study.Label} did both."
            : $"- **Trade-off:** {bestKept.Study.Label} reached ACC {bestKept.Acc.Format()}, " +
              $"{Points(bestLearned.Acc.Mean - bestKept.Acc.Mean)} below the best; " +
              (retentionTask is not null
                  ? $"{bestLearned.Study.Label} lost {bestLearned.Drop!.Format()} of {retentionTask}."
                  : $"{bestLearned.Study.Label} had BWT {bestLearned.Bwt?.Format() ?? "-"}."));
        text.AppendLine();
        if (retentionTask is not null && StudyStatistics.Compares(studies))
            AppendAgainstReference(text, figures, statistics, studies, score, name, retentionTask);
        if (retentionTask is not null && figures.All(f => f.Drop is not null))
        {
            var chart = RunFolderFiles.RetentionAgainstAccChartFile(score);
            var points = figures.Select(f => (f.Study.Label, f.Acc, f.Drop!)).ToList();
            Charts.RetentionAgainstAcc(Path.Combine(charts, chart), points, name, retentionTask);
            text.AppendLine($"![retention against ACC]({RunFolderFiles.ChartsFolder}/{chart})").AppendLine();
        }
    }

    /// <summary>
    /// Each configuration against the reference: how much of the reference's loss it kept, and its ACC difference
    /// (paired intervals).
    /// </summary>
    private static void AppendAgainstReference(
        StringBuilder text,
        IReadOnlyList<Figures> figures,
        StudyStatistics statistics,
        IReadOnlyList<StudyResult> studies,
        string score,
        string name,
        string retentionTask)
    {
        text.AppendLine($"Against the reference {statistics.ReferenceConfiguration(studies)} " +
                        $"({name}; a difference marked * has a 95% interval that excludes 0):").AppendLine();
        text.AppendLine($"| configuration | {retentionTask} drop | share of the reference's drop avoided | " +
                        "drop - reference | ACC | ACC - reference |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var f in figures)
        {
            var reference = statistics.ReferenceFor(f.Study, studies);
            var referenceDrop = reference is null ? null : figures.FirstOrDefault(g => g.Study == reference)?.Drop;
            var difference = reference is null ? null : statistics.Continual(f.Study, score, reference);
            var accDifference = reference is null ? null : statistics.Difference(f.Study, reference).GetValueOrDefault(score);
            string avoided = referenceDrop is { Mean: > 0 } lost ? $"{100 * (lost.Mean - f.Drop!.Mean) / lost.Mean:F0}%" : "-";
            text.AppendLine($"| {f.Study.Label} | {f.Drop?.Format() ?? "-"} | {(reference is null ? "reference" : avoided)} | " +
                            $"{(reference is null ? "reference" : difference?.RetentionDrop(0) is { } d ? AsDifference(d) : "-")} | " +
                            $"{f.Acc.Format()} | " +
                            $"{(reference is null ? "reference" : accDifference?.Format() ?? "-")} |");
        }
        text.AppendLine();
    }

    private static string Start(StudyResult study, string score) =>
        study.Retention![0].Start.TryGetValue(score, out var start)
            ? FormattableString.Invariant($"{start:F2} at the start")
            : "no score at the start";

    private static string Points(double value) => FormattableString.Invariant($"{value:F2} points");

    private static string AsDifference(ScoreInterval d) => new ScoreDifference(d.Mean, d.Low, d.High).Format();

    private static ScoreInterval Point(double value) => new(value, value, value);
}
