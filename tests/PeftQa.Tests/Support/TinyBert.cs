using PeftQa.Host.Modeling;

namespace PeftQa.Tests.Support;

/// <summary>A small BERT configuration for fast tests (dropout off unless asked for).</summary>
public static class TinyBert
{
    public static BertConfig Config(double dropout = 0) => new()
    {
        VocabSize = 99, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64,
        MaxPositionEmbeddings = 64, HiddenDropoutProb = dropout, AttentionProbsDropoutProb = dropout,
    };

    public static BertForQuestionAnswering Model(int seed = 1, double dropout = 0)
    {
        TorchSharp.torch.manual_seed(seed);
        var model = new BertForQuestionAnswering(Config(dropout), "tiny");
        model.eval();
        return model;
    }
}
