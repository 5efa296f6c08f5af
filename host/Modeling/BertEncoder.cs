using PeftQa.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>The stack of layers (Hugging Face BertEncoder: <c>layer.0</c> ... <c>layer.N-1</c>).</summary>
public sealed class BertEncoder : BertModule
{
    private readonly ModuleList<BertLayer> layers;

    public BertEncoder(BertConfig config) : base(nameof(BertEncoder))
    {
        layers = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new BertLayer(config)).ToArray());
        register_module("layer", layers);
    }

    public IReadOnlyList<BertLayer> Layers => [.. layers];

    public Tensor Forward(Tensor hidden, Tensor? mask, IAttentionPrefixSource? prefixes)
    {
        long batch = hidden.shape[0];
        for (int i = 0; i < layers.Count; i++)
            hidden = layers[i].Forward(hidden, mask, prefixes?.Prefix(i, batch));
        return hidden;
    }
}
