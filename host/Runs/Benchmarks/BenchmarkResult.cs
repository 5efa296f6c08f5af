namespace PeftQa.Host.Runs.Benchmarks;

/// <summary>Figures printed by <c>peftqa bench</c>.</summary>
public sealed record BenchmarkResult(
    string Model,
    int Batch,
    int Length,
    int Threads,
    double MatmulGflops,
    double MatmulGflopsFp32Default,
    double MatmulGflopsFp32,
    double MatmulGflopsBf16,
    double ForwardGflopPerExample,
    double InferenceExamplesPerSecond,
    double AttentionDropout,
    double TrainingExamplesPerSecond,
    double FusedAttentionTrainingExamplesPerSecond,
    double OnnxRuntimeExamplesPerSecond,
    double InferenceMfu,
    double TrainingMfu,
    double FusedAttentionTrainingMfu,
    double InferenceVsOnnxRuntime,
    double ExportedOnnxExamplesPerSecond,
    double InferenceVsExportedOnnx,
    double Bf16InferenceExamplesPerSecond,
    double Bf16InferenceVsOnnxRuntime);
