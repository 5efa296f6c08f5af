namespace PeftQa.Host.Reporting;

/// <summary>One strategy's line in a comparison.</summary>
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
    double AdapterMegabytes);
