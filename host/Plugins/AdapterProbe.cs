using PeftQa.Abstractions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using static TorchSharp.torch;

namespace PeftQa.Host.Plugins;

/// <summary>
/// Finds out what an adapter strategy does by attaching it, twice, to a randomly initialised model of the real model's
/// shape (its sizes, vocabulary and layer names, never its weights), so continual strategies can refuse pairings that
/// make no sense before any work starts. The probe has the real sizes so that options valid for the real model fit it
/// too. The host knows no adapter strategy by type; this works for third-party ones too.
/// </summary>
public static class AdapterProbe
{
    /// <param name="usedAt">Where the adapter is configured, for messages (for example "recipe.json: $.adapters[1]").</param>
    /// <exception cref="BadInputException">The strategy could not attach its first adapter with these options; the message is the strategy's own.</exception>
    public static AdapterTraits Probe(IAdapterStrategy strategy, object options, ModelDescription model, string usedAt = "adapter")
    {
        using var probe = new BertForQuestionAnswering(ProbeConfig(model), model.BaseModel)
        {
            TextTokenizer = text => [.. text.Select((_, i) => (1000 + i % 100) % model.VocabSize)],
        };
        var modelParameters = new HashSet<Tensor>(probe.NamedParameters.Select(p => (Tensor)p.Parameter), ReferenceEqualityComparer.Instance);
        IAdapter first;
        try { first = strategy.Attach(probe, options); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new BadInputException($"{usedAt}: adapter strategy '{strategy.Name}' could not attach to a model of this shape " +
                                        $"({model.NumLayers} layers, hidden {model.HiddenSize}): {e.GetType().Name}: {e.Message}");
        }
        using (first)
        {
            var trainable = first.TrainableParameters;
            bool trainsBase = trainable.Any(p => modelParameters.Contains(p.Parameter) && !p.Name.StartsWith("qa_outputs.", StringComparison.Ordinal));
            var (canAttachSeveral, refusal) = TryAttachSecond(strategy, options, probe, first, modelParameters);
            return new AdapterTraits(strategy.Name, trainsBase, canAttachSeveral, trainable.Select(p => p.Name).ToList(), refusal);
        }
    }

    /// <summary>A second adapter beside a disabled first: can it attach, and does it get parameters of its own?</summary>
    private static (bool CanAttachSeveral, string? Refusal) TryAttachSecond(IAdapterStrategy strategy, object options, BertForQuestionAnswering probe,
        IAdapter first, HashSet<Tensor> modelParameters)
    {
        try
        {
            first.Enabled = false;
            using var second = strategy.Attach(probe, options);
            bool sharesParameters = second.TrainableParameters.Where(p => !modelParameters.Contains(p.Parameter))
                .Any(p => first.TrainableParameters.Any(t => ReferenceEquals(t.Parameter, p.Parameter)));
            return sharesParameters ? (false, "the second adapter shares the first one's parameters") : (true, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Refusing a second adapter is how a strategy says it supports only one; the reason is kept for messages.
            return (false, e.Message);
        }
    }

    private static BertConfig ProbeConfig(ModelDescription model) => new()
    {
        VocabSize = model.VocabSize,
        HiddenSize = model.HiddenSize,
        NumHiddenLayers = model.NumLayers,
        NumAttentionHeads = model.NumAttentionHeads,
        IntermediateSize = model.IntermediateSize,
        MaxPositionEmbeddings = model.MaxPositionEmbeddings,
    };
}
