namespace PeftQa.Host.Training;

/// <summary>What one training stage produced.</summary>
public sealed record TrainingSummary(int Steps, long Examples, double Seconds, double ExamplesPerSecond, double FinalLoss, int ResumedAtStep);
