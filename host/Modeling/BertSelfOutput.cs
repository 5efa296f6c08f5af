using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>Attention output projection, dropout and residual LayerNorm (Hugging Face BertSelfOutput, <c>attention.output</c>).</summary>
public sealed class BertSelfOutput : BertModule
{
    private readonly LayerNorm layerNorm;
    private readonly Dropout dropout;

    public BertSelfOutput(BertConfig config) : base(nameof(BertSelfOutput))
    {
        Dense = new AdaptableLinear(config.HiddenSize, config.HiddenSize);
        layerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        register_module("dense", Dense);
        register_module("LayerNorm", layerNorm);
        register_module("dropout", dropout);
    }

    public AdaptableLinear Dense { get; }

    public Tensor Forward(Tensor context, Tensor residual) =>
        layerNorm.forward(dropout.forward(Dense.forward(context)).add_(residual));
}
