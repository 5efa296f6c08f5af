namespace PeftQa.Host.Training;

/// <summary>One logged training step.</summary>
public sealed record StepReport(
    int Step,
    int TotalSteps,
    int Epoch,
    double Loss,
    double LearningRate,
    double ExamplesPerSecond,
    TimeSpan Elapsed,
    TimeSpan Remaining);
