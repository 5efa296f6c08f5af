namespace PeftQa.Host.Runs.Benchmarks;

/// <summary>What <c>peftqa bench</c> measures: a model at batch x length, the median of some iterations, and which strategies' steps.</summary>
/// <param name="Precision">--precision of the training steps (strategies and the SQuAD defaults); null: auto, the recipe default.</param>
/// <param name="Profile">--profile: split each strategy's step by phase and op instead of measuring throughput.</param>
/// <param name="DataRoot">--data-root, else $PEFTQA_DATA: also measures squadTrainingSpeedup on real SQuAD windows; null: not.</param>
public sealed record BenchRequest(string Model, int Batch, int Length, int Iterations, IReadOnlyList<string>? Strategies = null,
    string? DataRoot = null, Recipes.Precision? Precision = null, bool Profile = false);
