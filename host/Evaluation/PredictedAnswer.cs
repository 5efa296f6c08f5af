namespace PeftQa.Host.Evaluation;

/// <summary>
/// An example's best answer: text cut from the original context, its score (start + end logit) and its probability
/// among the n-best.
/// </summary>
public sealed record PredictedAnswer(string Text, double Score, double Probability, int Start, int End);
