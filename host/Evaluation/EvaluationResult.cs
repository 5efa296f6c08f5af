using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using static TorchSharp.torch;

namespace PeftQa.Host.Evaluation;

/// <summary>Scores and the predicted answer for every question id.</summary>
public sealed record EvaluationResult(IReadOnlyDictionary<string, double> Scores, IReadOnlyDictionary<string, PredictedAnswer> Predictions, double Seconds);
