namespace PeftQa.Host.Runs.Benchmarks;

/// <summary>One adapter strategy's training step at the bench shape.</summary>
public sealed record StrategyStep(string Strategy, long TrainableParameters, double TrainablePercent, double SecondsPerStep, double RelativeToFull);
