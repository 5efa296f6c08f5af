using System.Text.RegularExpressions;
using PeftQa.Abstractions;

namespace PeftQa.Plugins.FullFineTune;

/// <summary>Trains every parameter of the encoder and the QA head, optionally keeping the embeddings or the lowest layers frozen.</summary>
public sealed partial class FullFineTuneStrategy : AdapterStrategy<FullFineTuneOptions>
{
    public override string Name => "full";

    public override string Description => "Full fine-tuning: every parameter trains (options freeze the embeddings or the lowest layers).";

    protected override IReadOnlyList<string> Validate(FullFineTuneOptions options, ModelDescription model)
    {
        if (options.FreezeLowestLayers < 0 || options.FreezeLowestLayers > model.NumLayers)
            return [$"freezeLowestLayers: expected 0..{model.NumLayers} (the model has {model.NumLayers} layers), got {options.FreezeLowestLayers}"];
        return [];
    }

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

    private sealed class FullFineTuneAdapter(string strategyName, IReadOnlyList<NamedParameter> trainable) : IAdapter
    {
        public string StrategyName => strategyName;

        public IReadOnlyList<NamedParameter> TrainableParameters => trainable;

        public bool SupportsMerge => false;

        public void Save(string directory) =>
            throw new NotSupportedException("Saving full fine-tuning weights needs the checkpoint writer, which this build does not have yet.");

        public void Load(string directory) =>
            throw new NotSupportedException("Loading full fine-tuning weights needs the checkpoint reader, which this build does not have yet.");

        public void Merge() => throw new NotSupportedException("Full fine-tuning has nothing to merge: the base weights are trained directly.");

        public void Unmerge() => throw new NotSupportedException("Full fine-tuning has nothing to unmerge.");

        public void Dispose() { }
    }
}
