using PeftQa.Host.Evaluation;

namespace PeftQa.Host.Reporting;

/// <summary>
/// One method at one training size of a sweep: its seeds' scores (each seed trained on its own sample), the score of all
/// seeds' answers taken together with its 95% interval, and its paired difference from the reference method at the same size.
/// </summary>
/// <param name="Pooled">Null when the studies kept no answers.</param>
/// <param name="Reference">The reference method at this size; null for the reference itself.</param>
/// <param name="Evaluation">The evaluation set: null for the trained tasks (their mean), else a retention task's name.</param>
public sealed record DataSizePoint(
    string Method, int Size, IReadOnlyList<int> Seeds, IReadOnlyList<double> SeedScores, ScoreInterval? Pooled, string? Reference,
    ScoreDifference? FromReference, string? Evaluation = null)
{
    public double Mean => SeedScores.Average();

    /// <summary>The sample standard deviation over seeds (the spread of the choice of examples and of training).</summary>
    public double StandardDeviation =>
        SeedScores.Count < 2 ? 0 : Math.Sqrt(SeedScores.Sum(v => (v - Mean) * (v - Mean)) / (SeedScores.Count - 1));
}
