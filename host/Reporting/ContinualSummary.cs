using PeftQa.Abstractions;
using PeftQa.Host.Studies;

namespace PeftQa.Host.Reporting;

public static class ContinualSummary
{
    /// <summary>The scores a forgetting report shows, in this order, where the run measured them.</summary>
    public static readonly IReadOnlyList<string> ReportedScores = ["f1", "exact_match"];

    /// <summary>The accuracy matrix of one score; null until every task has been trained.</summary>
    public static AccuracyMatrix? Matrix(StudyResult study, string score)
    {
        if (study.Tasks.Count == 0 || study.AfterTask.Count != study.Tasks.Count || !study.Baseline.All(b => b.ContainsKey(score))) return null;
        return new AccuracyMatrix(study.Baseline.Select(b => b[score]).ToList(),
            study.AfterTask.Select(row => (IReadOnlyList<double>)row.Select(s => s[score]).ToList()).ToList());
    }

    /// <summary>Every continual metric for every score the study measured; empty until the study is complete.</summary>
    public static IReadOnlyList<ContinualScores> Compute(StudyResult study, IReadOnlyList<IContinualMetric> metrics, IEnumerable<string> scores) =>
        scores.Select(score => (score, matrix: Matrix(study, score)))
            .Where(s => s.matrix is not null)
            .Select(s => new ContinualScores(s.score, metrics.ToDictionary(m => m.Name, m => m.Compute(s.matrix!), StringComparer.Ordinal)))
            .ToList();
}
