using PeftQa.Host.Planning;
using PeftQa.Host.Studies;

namespace PeftQa.Host.Reporting;

/// <summary>
/// Every report a run folder gets from its finished studies: results.json, report.md with its charts, and with several
/// studies compare.md/json/png. Written the same way by a run after each study and by <c>peftqa report</c> from the
/// studies' result files, so a sharded run's reports equal a single-process run's.
/// </summary>
public static class RunReportWriter
{
    public static void Write(string runFolder, RunPlan plan, IReadOnlyList<StudyResult> results, StudyStatistics statistics)
    {
        ResultsJsonWriter.Write(runFolder, plan, results, statistics);
        ReportMarkdownWriter.Write(runFolder, plan, results, statistics);
        if (results.Count > 1)
            CompareFilesWriter.Write(
                runFolder,
                ComparisonRow.ListFor(results, statistics),
                $"{plan.Recipe.Name}: strategy comparison",
                LearningCurve.ReadRun(runFolder, results.Select(r => r.Label)),
                SeedSummary.Of(results, plan.Metrics.Select(m => m.Name)));
        WriteDataSize(runFolder, plan, results, statistics);
    }

    /// <summary>With a training-size sweep: data-size.md/json/png, and the same section at the end of compare.md.</summary>
    private static void WriteDataSize(string runFolder, RunPlan plan, IReadOnlyList<StudyResult> results, StudyStatistics statistics)
    {
        var metric = plan.Metrics.Any(m => m.Name == "f1") ? "f1" : plan.Metrics[0].Name;
        var reference = plan.Studies.FirstOrDefault(s => s.Configuration == plan.Reference)?.Method;
        var comparedWith = plan.Studies.Where(s => s.ComparedWith is not null)
            .GroupBy(s => s.TrainingSize is { } n ? s.Configuration[..^$" n={n}".Length] : s.Configuration)
            .ToDictionary(g => g.Key, g => g.First().ComparedWith!);
        var points = new string?[] { null }.Concat(plan.RetentionTasks.Select(t => t.Name))
            .SelectMany(evaluation => DataSizeReport.Points(results, metric, reference, statistics, comparedWith, evaluation)).ToList();
        if (points.Count == 0) return;
        string trainedName = string.Join(" + ", plan.TrainedTasks.Select(t => t.Name));
        DataSizeReport.Write(runFolder, points, metric, $"{plan.Recipe.Name}: training size", trainedName);
        var compare = Path.Combine(runFolder, Foundation.RunFolderFiles.CompareMarkdownFile);
        if (File.Exists(compare))
            Foundation.AtomicFile.WriteAllText(compare, File.ReadAllText(compare) + Environment.NewLine +
                                                        DataSizeReport.Sections(points, metric, "Training size", trainedName));
    }
}
