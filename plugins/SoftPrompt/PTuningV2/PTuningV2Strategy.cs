using PeftQa.Abstractions;

namespace PeftQa.Plugins.SoftPrompt;

/// <summary>P-tuning v2 (PEFT prefix tuning): trainable key/value prefixes in every layer; backbone frozen, QA head trained.</summary>
public sealed class PTuningV2Strategy : AdapterStrategy<PTuningV2Options>
{
    public override string Name => "p-tuning-v2";

    /// <summary>The P-tuning v2 paper's SQuAD runs use 5e-3 (prefix 16); shorter runs prefer more (search it).</summary>
    public override double? RecommendedLearningRate => 5e-3;

    public override string Description => "P-tuning v2 (prefix tuning): trainable key/value prefixes in every self-attention layer; backbone frozen.";

    protected override IReadOnlyList<string> Validate(PTuningV2Options options, ModelDescription model)
    {
        var problems = new List<string>();
        if (options.PrefixLength <= 0) problems.Add($"prefixLength: expected a positive integer, got {options.PrefixLength}");
        if (options.ProjectionHiddenSize <= 0) problems.Add($"projectionHiddenSize: expected a positive integer, got {options.ProjectionHiddenSize}");
        if (options.PrefixDropout is < 0 or >= 1) problems.Add($"prefixDropout: expected 0 <= prefixDropout < 1, got {options.PrefixDropout}");
        return problems;
    }

    protected override IAdapter Attach(IAdaptableModel model, PTuningV2Options options)
    {
        var problems = Validate(options, model.Description);
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        if (model.AttentionPrefixes is not null) throw new InvalidOperationException("the model already has attention prefixes attached");
        var head = model.FreezeAllButHead();
        var adapter = new PTuningV2Adapter(model, options, head);
        model.AttentionPrefixes = adapter;
        return adapter;
    }

    /// <summary>A disabled adapter gives the model's single slot back, so another can attach beside it.</summary>
    protected override AdapterTraits Traits(PTuningV2Options options) =>
        new() { TrainsBaseWeights = false, CanAttachSeveral = true, Needs = ModelNeeds.AttentionPrefixes };

    public override object? ReadSavedOptions(string directory)
    {
        var config = PromptFiles.ReadConfig(directory, "PREFIX_TUNING");
        if (config is null) return null;
        return new PTuningV2Options
        {
            PrefixLength = PromptFiles.Value(config, "num_virtual_tokens", 16),
            Reparameterize = PromptFiles.Value(config, "prefix_projection", false),
            ProjectionHiddenSize = PromptFiles.Value(config, "encoder_hidden_size", 512),
        };
    }
}
