using PeftQa.Abstractions;
using PeftQa.Host.Modeling;
using static TorchSharp.torch;

namespace PeftQa.Host.Continual;

/// <summary>
/// Finds out what an adapter strategy does by attaching it, twice, to a small model with the real model's vocabulary
/// and layer names, so continual strategies can refuse pairings that make no sense before any work starts. The host knows
/// no adapter strategy by type; this works for third-party ones too.
/// </summary>
public static class AdapterProbe
{
    public static AdapterTraits Probe(IAdapterStrategy strategy, object options, ModelDescription model)
    {
        var config = new BertConfig
        {
            VocabSize = model.VocabSize,
            HiddenSize = 8,
            NumHiddenLayers = model.NumLayers,
            NumAttentionHeads = 2,
            IntermediateSize = 16,
            MaxPositionEmbeddings = model.MaxPositionEmbeddings,
        };
        using var probe = new BertForQuestionAnswering(config, model.BaseModel) { TextTokenizer = text => [.. text.Select((_, i) => 1000 + i % 100)] };
        var modelParameters = new HashSet<Tensor>(probe.NamedParameters.Select(p => (Tensor)p.Parameter), ReferenceEqualityComparer.Instance);
        IAdapter first;
        try { first = strategy.Attach(probe, options); }
        catch (Exception)
        {
            // Options sized for the real model may not fit the probe; nothing is known then, and pairings that need knowledge are refused.
            return new AdapterTraits(strategy.Name, TrainsBaseWeights: true, CanAttachSeveral: false, []);
        }
        using (first)
        {
            var trainable = first.TrainableParameters;
            bool trainsBase = trainable.Any(p => modelParameters.Contains(p.Parameter) && !p.Name.StartsWith("qa_outputs.", StringComparison.Ordinal));
            bool canAttachSeveral;
            try
            {
                first.Enabled = false;
                using var second = strategy.Attach(probe, options);
                canAttachSeveral = !second.TrainableParameters.Where(p => !modelParameters.Contains(p.Parameter))
                    .Any(p => trainable.Any(t => ReferenceEquals(t.Parameter, p.Parameter)));
            }
            catch (Exception)
            {
                canAttachSeveral = false;
            }
            return new AdapterTraits(strategy.Name, trainsBase, canAttachSeveral, trainable.Select(p => p.Name).ToList());
        }
    }
}
