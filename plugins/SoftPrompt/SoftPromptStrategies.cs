using PeftQa.Abstractions;

namespace PeftQa.Plugins.SoftPrompt;

/// <summary>Prompt tuning: n trainable virtual-token embeddings before the input; backbone frozen, QA head trained.</summary>
public sealed class PromptTuningStrategy : AdapterStrategy<PromptTuningOptions>
{
    private static readonly string[] InitModes = ["random", "vocab", "text"];

    public override string Name => "prompt-tuning";

    public override string Description => "Prompt tuning: trainable virtual tokens prepended to the input embeddings; backbone frozen.";

    protected override IReadOnlyList<string> Validate(PromptTuningOptions options, ModelDescription model)
    {
        var problems = new List<string>();
        if (options.VirtualTokens <= 0) problems.Add($"virtualTokens: expected a positive integer, got {options.VirtualTokens}");
        if (options.VirtualTokens >= model.MaxPositionEmbeddings)
            problems.Add($"virtualTokens: {options.VirtualTokens} leaves no room for real tokens in {model.MaxPositionEmbeddings} positions");
        if (!InitModes.Contains(options.Init)) problems.Add($"init: expected one of {string.Join(", ", InitModes)}, got '{options.Init}'");
        if (options.Init == "text" && string.IsNullOrWhiteSpace(options.InitText)) problems.Add("initText: required when init is \"text\"");
        return problems;
    }

    protected override IAdapter Attach(IAdaptableModel model, PromptTuningOptions options) =>
        throw new NotSupportedException("Prompt tuning is not available in this build yet.");
}

/// <summary>P-tuning v2: trainable key/value prefixes in every layer; backbone frozen, QA head trained.</summary>
public sealed class PTuningV2Strategy : AdapterStrategy<PTuningV2Options>
{
    public override string Name => "p-tuning-v2";

    public override string Description => "P-tuning v2 (prefix tuning): trainable key/value prefixes in every self-attention layer; backbone frozen.";

    protected override IReadOnlyList<string> Validate(PTuningV2Options options, ModelDescription model)
    {
        var problems = new List<string>();
        if (options.PrefixLength <= 0) problems.Add($"prefixLength: expected a positive integer, got {options.PrefixLength}");
        if (options.ProjectionHiddenSize <= 0) problems.Add($"projectionHiddenSize: expected a positive integer, got {options.ProjectionHiddenSize}");
        if (options.PrefixDropout is < 0 or >= 1) problems.Add($"prefixDropout: expected 0 <= prefixDropout < 1, got {options.PrefixDropout}");
        return problems;
    }

    protected override IAdapter Attach(IAdaptableModel model, PTuningV2Options options) =>
        throw new NotSupportedException("P-tuning v2 is not available in this build yet.");
}
