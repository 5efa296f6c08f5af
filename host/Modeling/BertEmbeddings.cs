using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Word + position + token-type embeddings, LayerNorm, dropout (Hugging Face BertEmbeddings). Optional virtual
/// tokens (prompt tuning) are prepended to the word embeddings before positions are added, as PEFT does.
/// </summary>
public sealed class BertEmbeddings : BertModule
{
    private readonly Embedding wordEmbeddings;
    private readonly Embedding positionEmbeddings;
    private readonly Embedding tokenTypeEmbeddings;
    private readonly LayerNorm layerNorm;

    public BertEmbeddings(BertConfig config) : base(nameof(BertEmbeddings))
    {
        wordEmbeddings = nn.Embedding(config.VocabSize, config.HiddenSize, padding_idx: config.PadTokenId);
        positionEmbeddings = nn.Embedding(config.MaxPositionEmbeddings, config.HiddenSize);
        tokenTypeEmbeddings = nn.Embedding(config.TypeVocabSize, config.HiddenSize);
        layerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        HiddenDropout = config.HiddenDropoutProb;
        register_module("word_embeddings", wordEmbeddings);
        register_module("position_embeddings", positionEmbeddings);
        register_module("token_type_embeddings", tokenTypeEmbeddings);
        register_module("LayerNorm", layerNorm);
    }

    /// <summary>Dropout on the embeddings' output while training: hidden_dropout_prob, unless training.hiddenDropout replaces it.</summary>
    public double HiddenDropout { get; set; }

    public Parameter WordEmbeddingWeight => wordEmbeddings.weight!;

    public long MaxPositions => positionEmbeddings.weight!.shape[0];

    public Tensor EmbedWords(Tensor inputIds) => wordEmbeddings.forward(inputIds);

    /// <param name="virtualTokens">[batch, n, hidden] prepended before the real tokens, or null.</param>
    /// <param name="tokenTypeIds">Token types of the real tokens; virtual tokens get type 0.</param>
    public Tensor Forward(Tensor inputIds, Tensor tokenTypeIds, Tensor? virtualTokens)
    {
        var words = wordEmbeddings.forward(inputIds);
        var types = tokenTypeEmbeddings.forward(tokenTypeIds);
        if (virtualTokens is not null)
        {
            words = cat([virtualTokens, words], 1);
            types = cat([tokenTypeEmbeddings.weight![0].expand(virtualTokens.shape[0], virtualTokens.shape[1], -1), types], 1);
        }
        long length = words.shape[1];
        if (length > MaxPositions)
            throw new ArgumentException($"sequence of {length} tokens exceeds max_position_embeddings ({MaxPositions})");
        var positions = positionEmbeddings.weight!.narrow(0, 0, length);
        var summed = OpProfile.Mark(words + types + positions, OpCategory.Rest);
        var normed = OpProfile.Mark(layerNorm.forward(summed), OpCategory.Norms);
        return OpProfile.Mark(nn.functional.dropout(normed, HiddenDropout, training), OpCategory.Dropout);
    }
}
