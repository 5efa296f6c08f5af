using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>Self-attention followed by its output block (Hugging Face BertAttention: <c>self</c>, <c>output</c>).</summary>
public sealed class BertAttention : BertModule
{
    public BertAttention(BertConfig config) : base(nameof(BertAttention))
    {
        Self = new BertSelfAttention(config);
        Output = new BertResidualOutput(config, config.HiddenSize);
        register_module("self", Self);
        register_module("output", Output);
    }

    public BertSelfAttention Self { get; }

    public BertResidualOutput Output { get; }

    public Tensor Forward(Tensor hidden, Tensor? mask, (Tensor Key, Tensor Value)? prefix) =>
        Output.Forward(Self.Forward(hidden, mask, prefix), hidden);
}
