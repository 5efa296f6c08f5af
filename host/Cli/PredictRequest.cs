using PeftQa.Host.Evaluation;

namespace PeftQa.Host.Cli;

public sealed record PredictRequest(string Model, string? Adapter, string? Question, string? Context, bool AllowPickle, bool IgnoreMismatched = false,
    AnsweringEngine Engine = AnsweringEngine.Torch, int? MaxSequenceLength = null, int? DocStride = null);
