using PeftQa.Host.Modeling;

namespace PeftQa.Host.Runs.Benchmarks;

/// <summary>What <c>peftqa bench --profile</c> measured: each strategy's step in each precision, split.</summary>
/// <param name="Fp32Products">The route the fp32 steps' products took.</param>
/// <param name="CpuFlags">The host's speed-relevant CPU flags: profiles compare only between hosts with the same ones.</param>
public sealed record ProfileReport(
    string Model,
    int Batch,
    int Length,
    IReadOnlyList<StepProfile> Steps,
    Fp32ProductRoute Fp32Products,
    IReadOnlyList<string> CpuFlags);
