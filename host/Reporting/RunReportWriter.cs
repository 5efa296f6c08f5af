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
    }
}
