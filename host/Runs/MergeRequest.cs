using PeftQa.Abstractions;

namespace PeftQa.Host.Runs;

/// <summary>What <c>peftqa merge</c> was asked: a base model, its adapters with their weights, a method and where to write.</summary>
/// <param name="Weights">One per adapter; null: 1 each.</param>
/// <param name="HeadFrom">The adapter (from 1) whose QA head the result takes; null: the heads are merged by the method too.</param>
/// <param name="LoraFactors">With <c>linear</c>: combine LoRA factors as PEFT's <c>linear</c> does (a LoRA of the inputs' rank).</param>
public sealed record MergeRequest(
    string Model, IReadOnlyList<string> Adapters, IReadOnlyList<double>? Weights, string Method, MergeSettings Settings, int? HeadFrom,
    string Out, bool AllowPickle = false, bool LoraFactors = false);
