using PeftQa.Host.Evaluation;

namespace PeftQa.Host.Cli;

public sealed record EvalRequest(string Model, string? Adapter, string Data, string Out, IReadOnlyList<string> Metrics, int? MaxExamples,
    int MaxSequenceLength, int DocStride, bool AllowPickle, int Seed = 42, bool IgnoreMismatched = false,
    AnsweringEngine Engine = AnsweringEngine.Torch);
