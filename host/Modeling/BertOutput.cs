using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>Feed-forward contraction, dropout and residual LayerNorm (Hugging Face BertOutput, <c>output</c>).</summary>
public sealed class BertOutput : BertModule
{
    private readonly LayerNorm layerNorm;
    private readonly Dropout dropout;

    public BertOutput(BertConfig config) : base(nameof(BertOutput))
    {
        Dense = new AdaptableLinear(config.IntermediateSize, config.HiddenSize);
        layerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        register_module("dense", Dense);
        register_module("LayerNorm", layerNorm);
        register_module("dropout", dropout);
    }

    public AdaptableLinear Dense { get; }

    public Tensor Forward(Tensor intermediate, Tensor residual) =>
        layerNorm.forward(dropout.forward(Dense.forward(intermediate)).add_(residual));
}
