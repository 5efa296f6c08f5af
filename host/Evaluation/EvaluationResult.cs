namespace PeftQa.Host.Evaluation;

/// <summary>Scores and the predicted answer for every question id.</summary>
public sealed record EvaluationResult(
    IReadOnlyDictionary<string, double> Scores,
    IReadOnlyDictionary<string, PredictedAnswer> Predictions,
    double Seconds);
