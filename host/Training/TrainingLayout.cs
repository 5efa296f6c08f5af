namespace PeftQa.Host.Training;

/// <summary>How a training setup is laid out for a speed comparison: batch order and attention dropout.</summary>
public sealed record TrainingLayout(bool GroupByLength, double AttentionDropout);
