using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>One transformer layer: attention, intermediate, output (Hugging Face BertLayer).</summary>
public sealed class BertLayer : BertModule
{
    public BertLayer(BertConfig config) : base(nameof(BertLayer))
    {
        Attention = new BertAttention(config);
        Intermediate = new BertIntermediate(config);
        Output = new BertResidualOutput(config, config.IntermediateSize);
        register_module("attention", Attention);
        register_module("intermediate", Intermediate);
        register_module("output", Output);
    }

    public BertAttention Attention { get; }

    public BertIntermediate Intermediate { get; }

    public BertResidualOutput Output { get; }

    public Tensor Forward(Tensor hidden, Tensor? mask, (Tensor Key, Tensor Value)? prefix)
    {
        var attended = Attention.Forward(hidden, mask, prefix);
        return Output.Forward(Intermediate.Forward(attended), attended);
    }
}
