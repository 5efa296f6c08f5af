namespace PeftQa.Host.Evaluation;

/// <summary>Start and end logits of one feature's real tokens.</summary>
public sealed record FeatureLogits(float[] Start, float[] End);
