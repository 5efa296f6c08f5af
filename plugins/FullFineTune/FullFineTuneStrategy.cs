using System.Text.RegularExpressions;
using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Plugins.FullFineTune;

/// <summary>Trains every parameter of the encoder and the QA head, optionally keeping the embeddings or the lowest layers frozen.</summary>
public sealed partial class FullFineTuneStrategy : AdapterStrategy<FullFineTuneOptions>
{
    public const string WeightsFile = "adapter_model.safetensors";

    public override string Name => "full";

    public override string Description => "Full fine-tuning: every parameter trains (options freeze the embeddings or the lowest layers).";

    protected override IReadOnlyList<string> Validate(FullFineTuneOptions options, ModelDescription model)
    {
        if (options.FreezeLowestLayers < 0 || options.FreezeLowestLayers > model.NumLayers)
            return [$"freezeLowestLayers: expected 0..{model.NumLayers} (the model has {model.NumLayers} layers), got {options.FreezeLowestLayers}"];
        return [];
    }

    protected override AdapterTraits Traits(FullFineTuneOptions options) => new()
    {
        TrainsBaseWeights = true,
        CanAttachSeveral = false,
        SecondAttachRefusal = "full fine-tuning trains the base weights in place; there is no separate adapter to keep per task",
        Needs = ModelNeeds.None,
    };

    protected override IAdapter Attach(IAdaptableModel model, FullFineTuneOptions options)
    {
        var trainable = new List<NamedParameter>();
        foreach (var parameter in model.NamedParameters)
        {
            bool train = !IsFrozen(parameter.Name, options);
            parameter.Parameter.requires_grad = train;
            if (train) trainable.Add(parameter);
        }
        return new FullFineTuneAdapter(Name, trainable);
    }

    private static bool IsFrozen(string name, FullFineTuneOptions options)
    {
        if (options.FreezeEmbeddings && name.StartsWith("bert.embeddings.", StringComparison.Ordinal)) return true;
        var layer = LayerIndex().Match(name);
        return layer.Success && int.Parse(layer.Groups[1].Value) < options.FreezeLowestLayers;
    }

    [GeneratedRegex(@"^bert\.encoder\.layer\.(\d+)\.")]
    private static partial Regex LayerIndex();

    /// <summary>The trained weights are the model's own; saving writes them (the trainable ones) under their Hugging Face names.</summary>
    private sealed class FullFineTuneAdapter(string strategyName, IReadOnlyList<NamedParameter> trainable) : IAdapter
    {
        public string StrategyName => strategyName;

        public IReadOnlyList<NamedParameter> TrainableParameters => trainable;

        /// <summary>The trained weights are the base weights: there is no untouched model to switch back to.</summary>
        public bool Enabled
        {
            get => true;
            set
            {
                if (!value)
                    throw new NotSupportedException(
                        "Full fine-tuning changes the base weights in place; it cannot be switched off. Load the base model again instead.");
            }
        }

        public bool SupportsMerge => false;

        public void Save(string directory) =>
            SafeTensors.Save(Path.Combine(directory, WeightsFile), trainable.Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Parameter)),
                SafeTensors.Metadata(("format", "pt"), ("peftqa_strategy", strategyName)));

        public void Load(string directory) =>
            AdapterFiles.LoadParameters(Path.Combine(directory, WeightsFile), trainable.Select(p => (p.Name, p.Parameter)),
                $"{trainable.Count} trainable tensors", "saved from another base model or with other freeze options?");

        public void Merge() => throw new NotSupportedException("Full fine-tuning has nothing to merge: the base weights are trained directly.");

        public void Unmerge() => throw new NotSupportedException("Full fine-tuning has nothing to unmerge.");

        public void Dispose() { }
    }
}
