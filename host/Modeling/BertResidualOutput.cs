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

    public BertResidualOutput(BertConfig config, int inputSize) : base(nameof(BertResidualOutput))
    {
        Dense = new AdaptableLinear(inputSize, config.HiddenSize);
        layerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        HiddenDropout = config.HiddenDropoutProb;
        register_module("dense", Dense);
        register_module("LayerNorm", layerNorm);
    }

    /// <summary>Dropout on the projection while training: hidden_dropout_prob, unless training.hiddenDropout replaces it.</summary>
    public double HiddenDropout { get; set; }

    public AdaptableLinear Dense { get; }

    public Tensor Forward(Tensor input, Tensor residual)
    {
        var projected = OpProfile.Mark(nn.functional.dropout(Dense.forward(input), HiddenDropout, training), OpCategory.Dropout);
        // Under mixed precision the projection comes back in bf16; the residual stream and LayerNorm stay in fp32.
        if (projected.dtype != residual.dtype) projected = OpProfile.Mark(projected.to(residual.dtype), OpCategory.Casts);
        var summed = OpProfile.Mark(projected.add_(residual), OpCategory.Rest);
        return OpProfile.Mark(layerNorm.forward(summed), OpCategory.Norms);
    }
}
