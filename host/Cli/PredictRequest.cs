using PeftQa.Host.Recipes;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Cli;

/// <summary>What <c>peftqa predict</c> was asked for; without a question and context, JSON lines come from standard input.</summary>
/// <param name="Precision">--precision; null: auto.</param>
public sealed record PredictRequest(ModelChoice Model, string? Question, string? Context, int? MaxSequenceLength = null, int? DocStride = null,
    Precision? Precision = null);
