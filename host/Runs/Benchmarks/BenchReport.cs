using PeftQa.Host.Modeling;

namespace PeftQa.Host.Runs.Benchmarks;

/// <summary>Everything <c>peftqa bench</c> measured; NaN where a measure could not be taken (no ONNX file, no data root).</summary>
/// <param name="LoraStepVsFull">LoRA r 8 (query, value) step time over the full fine-tuning step's.</param>
/// <param name="SquadTrainingSpeedup">Training windows/s on real SQuAD windows, the defaults over the old behaviour.</param>
/// <param name="Precision">What the strategies' steps and the SQuAD defaults computed in (--precision, auto by default).</param>
/// <param name="Fp32Products">The route every fp32 figure was taken through (matmulGflopsFp32Default excepted).</param>
/// <param name="CpuFlags">The host's speed-relevant CPU flags (<see cref="Modeling.CpuFlags.SpeedRelevant"/>): figures
/// compare only between hosts with the same ones.</param>
public sealed record BenchReport(
    BenchmarkResult Throughput,
    IReadOnlyList<StrategyStep> Strategies,
    double LoraStepVsFull,
    double SquadTrainingSpeedup,
    ComputePrecision Precision,
    Fp32ProductRoute Fp32Products,
    IReadOnlyList<string> CpuFlags);
