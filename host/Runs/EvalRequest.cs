using PeftQa.Host.Recipes;

namespace PeftQa.Host.Runs;

/// <summary>What <c>peftqa eval</c> was asked for.</summary>
/// <param name="Precision">--precision; null: auto.</param>
public sealed record EvalRequest(ModelChoice Model, string Data, string Out, IReadOnlyList<string> Metrics, int? MaxExamples,
    int MaxSequenceLength, int DocStride, int Seed = 42, Precision? Precision = null);
