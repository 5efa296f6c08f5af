using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>Feed-forward expansion with its activation (Hugging Face BertIntermediate; GELU in its exact erf form).</summary>
public sealed class BertIntermediate : BertModule
{
    private readonly string activation;

    public BertIntermediate(BertConfig config) : base(nameof(BertIntermediate))
    {
        activation = config.HiddenAct;
        Dense = new AdaptableLinear(config.HiddenSize, config.IntermediateSize);
        register_module("dense", Dense);
    }

    public AdaptableLinear Dense { get; }

    public Tensor Forward(Tensor hidden)
    {
        var projected = Dense.forward(hidden);
        return activation switch
        {
            "relu" => nn.functional.relu(projected),
            "gelu_new" or "gelu_pytorch_tanh" => nn.functional.gelu(projected, TorchSharp.Modules.GELU.Approximate.tanh),
            _ => nn.functional.gelu(projected),
        };
    }
}
