using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>
/// The BERT encoder (Hugging Face BertModel without the pooler, as BertForQuestionAnswering uses it):
/// embeddings then the layer stack, returning the last hidden state.
/// </summary>
public sealed class BertModel : BertModule
{
    public BertModel(BertConfig config) : base(nameof(BertModel))
    {
        Config = config;
        Embeddings = new BertEmbeddings(config);
        Encoder = new BertEncoder(config);
        register_module("embeddings", Embeddings);
        register_module("encoder", Encoder);
    }

    public BertConfig Config { get; }

    public BertEmbeddings Embeddings { get; }

    public BertEncoder Encoder { get; }

    /// <summary>
    /// [batch, n + length, hidden] for input ids [batch, length]; n is the number of virtual tokens (0 without).
    /// </summary>
    /// <param name="attentionMask">1 for real tokens, 0 for padding, [batch, length]; null: all real.</param>
    /// <param name="tokenTypeIds">Segment ids [batch, length]; null: all 0.</param>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask, Tensor? tokenTypeIds,
        IVirtualTokenSource? virtualTokens = null, IAttentionPrefixSource? prefixes = null)
    {
        long batch = inputIds.shape[0];
        tokenTypeIds ??= zeros_like(inputIds);
        var virtualEmbeddings = virtualTokens?.Embeddings(batch);
        var hidden = Embeddings.Forward(inputIds, tokenTypeIds, virtualEmbeddings);
        var mask = KeyMask(attentionMask, batch, virtualTokens?.Count ?? 0, prefixes?.Length ?? 0);
        return Encoder.Forward(hidden, mask, prefixes);
    }

    /// <summary>
    /// The boolean key mask [batch, 1, 1, keys] in key order: attention prefixes, virtual tokens, real tokens.
    /// Null when every key is real, so unpadded batches take the mask-free attention path.
    /// </summary>
    private static Tensor? KeyMask(Tensor? attentionMask, long batch, int virtualTokens, int prefixLength)
    {
        if (attentionMask is null) return null;
        if (attentionMask.all().item<bool>()) return null;
        var real = attentionMask.to_type(ScalarType.Bool);
        int extra = virtualTokens + prefixLength;
        if (extra > 0) real = cat([ones(batch, extra, dtype: ScalarType.Bool, device: real.device), real], 1);
        return real.view(batch, 1, 1, -1);
    }
}
