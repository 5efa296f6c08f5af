namespace PeftQa.Host.Runs.Benchmarks;

/// <summary>Figures printed by <c>peftqa bench</c>.</summary>
/// <param name="MatmulGflopsFp32OneDnn">fp32 through oneDNN's kernels (PEFTQA_FP32_PRODUCTS=onednn); NaN where the CPU does not allow them.</param>
/// <param name="TrainingExamplesPerSecond">The trainer's step with the recipe defaults (attention dropout, auto precision).</param>
/// <param name="TrainingMfu">Its model FLOP utilisation against the host's best matrix-product route (<see cref="MatmulGflops"/>).</param>
public sealed record BenchmarkResult(
    string Model,
    int Batch,
    int Length,
    int Threads,
    double MatmulGflops,
    double MatmulGflopsFp32Default,
    double MatmulGflopsFp32OneDnn,
    double MatmulGflopsFp32,
    double MatmulGflopsBf16,
    double ForwardGflopPerExample,
    double InferenceExamplesPerSecond,
    double TrainingAttentionDropout,
    string TrainingPrecision,
    double TrainingExamplesPerSecond,
    double OnnxRuntimeExamplesPerSecond,
    double InferenceMfu,
    double TrainingMfu,
    double InferenceVsOnnxRuntime,
    double ExportedOnnxExamplesPerSecond,
    double InferenceVsExportedOnnx,
    double Bf16InferenceExamplesPerSecond,
    double Bf16InferenceVsOnnxRuntime);
