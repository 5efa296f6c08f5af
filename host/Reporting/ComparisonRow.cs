namespace PeftQa.Host.Reporting;

/// <summary>One strategy's line in a comparison: its scores (<see cref="Scores"/>, with <see cref="Intervals"/>), costs and difference from the reference.</summary>
public sealed record ComparisonRow(
    string Study,
    string Strategy,
    double TrainablePercent,
    long TrainableParameters,
    IReadOnlyDictionary<string, double> Scores,
    double TrainingExamplesPerSecond,
    double SecondsPerStep,
    double OptimizerStateMegabytes,
    double PeakMemoryMegabytes,
    double AdapterMegabytes)
{
    /// <summary>Each score with its 95% bootstrap interval; empty when the study kept no answers.</summary>
    public IReadOnlyDictionary<string, Evaluation.ScoreInterval> Intervals { get; init; } = new Dictionary<string, Evaluation.ScoreInterval>();

    /// <summary>The (adapter, continual strategy) configuration the study is one seed of.</summary>
    public string? Configuration { get; init; }

    /// <summary>The study's seed; null in runs from before studies recorded it.</summary>
    public int? Seed { get; init; }

    /// <summary>The reference study's label; null for the reference itself.</summary>
    public string? Reference { get; init; }

    /// <summary>This study's score minus the reference's, per score, with the paired interval.</summary>
    public IReadOnlyDictionary<string, Evaluation.ScoreDifference> Differences { get; init; } = new Dictionary<string, Evaluation.ScoreDifference>();
}
