using PeftQa.Abstractions;

namespace MyPlugin;

/// <summary>
/// An adapter strategy (the contract: <see cref="IAdapterStrategy"/>, here through <see cref="AdapterStrategy{TOptions}"/>):
/// bias tuning in the manner of BitFit (Ben Zaken et al., 2022): the model's weights stay frozen, only bias terms (and,
/// by option, LayerNorm and the QA head) train. Replace <see cref="Attach"/> with your method; the rest is the contract.
/// </summary>
public sealed class PluginClassStrategy : AdapterStrategy<PluginClassOptions>
{
    public override string Name => "my-strategy";

    public override string Description => "Bias tuning (BitFit): only bias terms, LayerNorm and the QA head train.";

    /// <summary>What the host plans with, before anything is attached.</summary>
    protected override AdapterTraits Traits(PluginClassOptions options) => new()
    {
        TrainsBaseWeights = true,
        CanAttachSeveral = false,
        SecondAttachRefusal = "bias tuning trains the model's own biases in place, so one task's adapter cannot be kept apart from the next",
        Needs = ModelNeeds.None,
    };

    /// <summary>Problems with the options for this model, each a sentence; an empty list means they fit.</summary>
    protected override IReadOnlyList<string> Validate(PluginClassOptions options, ModelDescription model) =>
        options.TrainHead && string.IsNullOrEmpty(model.HeadModuleName) ? ["trainHead: this model names no QA head to train"] : [];

    protected override IAdapter Attach(IAdaptableModel model, PluginClassOptions options)
    {
        var head = model.HeadParameters.Select(p => p.Parameter).ToHashSet();
        var trainable = new List<NamedParameter>();
        foreach (var parameter in model.NamedParameters)
        {
            bool train = IsTrained(parameter.Name, head.Contains(parameter.Parameter), options);
            parameter.Parameter.requires_grad = train;
            if (train) trainable.Add(parameter with { LearningRateScale = options.LearningRateScale });
        }
        return new PluginClassAdapter(Name, trainable);
    }

    public static bool IsTrained(string parameterName, bool isHead, PluginClassOptions options) =>
        isHead ? options.TrainHead
            : parameterName.Contains("LayerNorm", StringComparison.Ordinal) ? options.TrainLayerNorm
            : parameterName.EndsWith(".bias", StringComparison.Ordinal);
}
