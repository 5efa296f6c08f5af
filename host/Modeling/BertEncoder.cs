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
        {
            var prefix = prefixes?.Prefix(i, batch);
            // A layer's temporaries are released when it is done (autograd keeps what backward needs by itself), so a
            // batch holds one layer's temporaries at a time, not every layer's until the caller's scope ends.
            using var scope = NewDisposeScope();
            hidden = scope.MoveToOuter(layers[i].Forward(hidden, mask, prefix));
        }
        return hidden;
    }
}
