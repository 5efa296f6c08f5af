using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Projection, dropout and residual LayerNorm: Hugging Face's BertSelfOutput (<c>attention.output</c>, hidden to hidden)
/// and BertOutput (<c>output</c>, intermediate to hidden), which are the same computation at two sizes.
/// </summary>
public sealed class BertResidualOutput : BertModule
{
    private readonly LayerNorm layerNorm;
    private readonly Dropout dropout;

    public BertResidualOutput(BertConfig config, int inputSize) : base(nameof(BertResidualOutput))
    {
        Dense = new AdaptableLinear(inputSize, config.HiddenSize);
        layerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        register_module("dense", Dense);
        register_module("LayerNorm", layerNorm);
        register_module("dropout", dropout);
    }

    public AdaptableLinear Dense { get; }

    public Tensor Forward(Tensor input, Tensor residual)
    {
        var projected = dropout.forward(Dense.forward(input));
        // Under mixed precision the projection comes back in bf16; the residual stream and LayerNorm stay in fp32.
        if (projected.dtype != residual.dtype) projected = projected.to(residual.dtype);
        return layerNorm.forward(projected.add_(residual));
    }
}
