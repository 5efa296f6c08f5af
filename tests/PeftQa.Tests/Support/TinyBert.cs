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

    /// <summary>Two rows over the tiny vocabulary, the second padded: ids, attention mask, token types, each [2, 8].</summary>
    public static (TorchSharp.torch.Tensor Ids, TorchSharp.torch.Tensor Mask, TorchSharp.torch.Tensor Types) Batch() => (
        TorchSharp.torch.tensor(new long[] { 2, 5, 6, 7, 3, 8, 9, 3, 2, 11, 12, 3, 13, 3, 0, 0 }).view(2, 8),
        TorchSharp.torch.tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }).view(2, 8),
        TorchSharp.torch.tensor(new long[] { 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0 }).view(2, 8));

    /// <summary>The encoder's last hidden state on <see cref="Batch"/>, without gradients.</summary>
    public static TorchSharp.torch.Tensor Hidden(BertForQuestionAnswering model)
    {
        var (ids, mask, types) = Batch();
        using var _ = TorchSharp.torch.no_grad();
        return model.Bert.Forward(ids, mask, types);
    }

    /// <summary>Start logits on <see cref="Batch"/>, without gradients.</summary>
    public static TorchSharp.torch.Tensor StartLogits(BertForQuestionAnswering model)
    {
        var (ids, mask, types) = Batch();
        using var _ = TorchSharp.torch.no_grad();
        return model.Forward(ids, mask, types).Start;
    }

    /// <summary>
    /// Start logits on <see cref="Batch"/> and the gradients of <paramref name="parameters"/> after a backward pass of
    /// a loss that reaches every parameter (sum of squared start logits plus end logits).
    /// </summary>
    public static (TorchSharp.torch.Tensor Start, List<TorchSharp.torch.Tensor> Gradients) StartAndGradients(
        BertForQuestionAnswering model, IEnumerable<TorchSharp.torch.Tensor> parameters)
    {
        var (ids, mask, types) = Batch();
        var (start, end) = model.Forward(ids, mask, types);
        (start.square().sum() + end.sum()).backward();
        return (start.detach().clone(), parameters.Select(p => p.grad!.clone()).ToList());
    }

    /// <summary>
    /// A tiny model whose weights depend on <paramref name="seed"/> alone: drawn from a private generator, so tests running
    /// beside this one cannot change them.
    /// </summary>
    public static BertForQuestionAnswering Model(int seed = 1, double dropout = 0)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        var model = new BertForQuestionAnswering(Config(dropout), "tiny", generator);
        model.eval();
        return model;
    }
}
