using PeftQa.Abstractions;

namespace PeftQa.Plugins.Lora;

/// <summary>Low-rank adaptation: a trainable B A branch beside each targeted Linear, the base frozen.</summary>
public sealed class LoraStrategy : AdapterStrategy<LoraOptions>
{
    /// <summary>The short names recipes may use, each matching the end of a Hugging Face module name.</summary>
    public static readonly IReadOnlyList<string> KnownTargetModules =
        ["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense", "all-linear"];

    private static readonly string[] BiasModes = ["none", "all", "lora_only"];

    public override string Name => "lora";

    public override string Description => "LoRA: trainable low-rank branches beside the attention (and optionally feed-forward) Linears; base frozen.";

    protected override IReadOnlyList<string> Validate(LoraOptions options, ModelDescription model)
    {
        var problems = new List<string>();
        if (options.R <= 0) problems.Add($"r: expected a positive integer, got {options.R}");
        if (options.Alpha <= 0) problems.Add($"alpha: expected a positive number, got {options.Alpha}");
        if (options.Dropout is < 0 or >= 1) problems.Add($"dropout: expected 0 <= dropout < 1, got {options.Dropout}");
        if (options.TargetModules.Count == 0) problems.Add("targetModules: expected at least one module name");
        foreach (var module in options.TargetModules.Where(m => !KnownTargetModules.Contains(m)))
            problems.Add($"targetModules: unknown module '{module}'; expected one of {string.Join(", ", KnownTargetModules)}");
        if (!BiasModes.Contains(options.Bias))
            problems.Add($"bias: expected one of {string.Join(", ", BiasModes)}, got '{options.Bias}'");
        return problems;
    }

    protected override IAdapter Attach(IAdaptableModel model, LoraOptions options) =>
        throw new NotSupportedException("LoRA training is not available in this build yet.");
}
