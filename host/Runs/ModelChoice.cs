using PeftQa.Host.Evaluation;

namespace PeftQa.Host.Runs;

/// <summary>The model eval, predict and export answer with: a checkpoint folder or builtin model, any adapter, and how to read them.</summary>
/// <param name="AllowPickle">Allow pytorch_model.bin (unpickling can run code).</param>
/// <param name="IgnoreMismatched">Load an adapter made for another shape as far as it fits.</param>
public sealed record ModelChoice(string Model, string? Adapter, bool AllowPickle, bool IgnoreMismatched,
    AnsweringEngine Engine = AnsweringEngine.Torch);
