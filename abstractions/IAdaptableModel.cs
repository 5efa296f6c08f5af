using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>
/// The extension points an encoder for extractive QA offers to adapter strategies. With nothing attached,
/// none of them costs anything in the forward pass.
/// </summary>
public interface IAdaptableModel
{
    /// <summary>Sizes of the encoder.</summary>
    ModelDescription Description { get; }

    /// <summary>Every parameter with its Hugging Face name (<c>bert.embeddings.word_embeddings.weight</c>, ..., <c>qa_outputs.bias</c>).</summary>
    IReadOnlyList<NamedParameter> NamedParameters { get; }

    /// <summary>
    /// The Linear layers of the attention and feed-forward blocks, keyed by Hugging Face module name, for example
    /// <c>bert.encoder.layer.0.attention.self.query</c> or <c>bert.encoder.layer.5.output.dense</c>.
    /// </summary>
    IReadOnlyDictionary<string, IAdaptableLinear> Linears { get; }

    /// <summary>Word-embedding lookup ([batch, seq] ids to [batch, seq, hidden]), for initialising prompts from text or vocabulary.</summary>
    Tensor EmbedTokens(Tensor inputIds);

    /// <summary>The model's tokenizer on plain text (no special tokens), for initialising prompts from a text.</summary>
    IReadOnlyList<int> TokenIds(string text);

    /// <summary>True while training (dropout active); branches and prompts use it for their own dropout.</summary>
    bool IsTraining { get; }

    /// <summary>
    /// Virtual tokens prepended to the input embeddings (prompt tuning). The model extends the attention mask
    /// with ones and the token types with zeros, and reports start/end logits for the real tokens only.
    /// Null: none.
    /// </summary>
    IVirtualTokenSource? VirtualTokens { get; set; }

    /// <summary>Per-layer key and value prefixes inside self-attention (P-tuning v2). Real tokens keep their positions. Null: none.</summary>
    IAttentionPrefixSource? AttentionPrefixes { get; set; }
}

/// <summary>A Linear layer that can carry parallel branches and have deltas merged into its weight.</summary>
public interface IAdaptableLinear
{
    /// <summary>Hugging Face module name.</summary>
    string Name { get; }

    long InFeatures { get; }

    long OutFeatures { get; }

    /// <summary>Weight, [out, in] as in torch.nn.Linear.</summary>
    Parameter Weight { get; }

    Parameter? Bias { get; }

    /// <summary>Branches by name, in the order they were added.</summary>
    IReadOnlyList<KeyValuePair<string, ILinearBranch>> Branches { get; }

    /// <summary>Adds a branch whose output is added to the layer's: y = W x + b + sum of branch(x). Names are unique per layer.</summary>
    void AddBranch(string name, ILinearBranch branch);

    /// <summary>Removes a branch; false if there was none by that name.</summary>
    bool RemoveBranch(string name);

    /// <summary>W += delta ([out, in]), without recording gradients.</summary>
    void MergeIntoWeight(Tensor delta);

    /// <summary>W -= delta ([out, in]), the inverse of <see cref="MergeIntoWeight"/>.</summary>
    void UnmergeFromWeight(Tensor delta);
}

/// <summary>A parallel branch of an <see cref="IAdaptableLinear"/>, for example a LoRA pair.</summary>
public interface ILinearBranch
{
    /// <summary>False: skipped in the forward pass (an adapter that is disabled or merged).</summary>
    bool Enabled { get; }

    /// <summary>The branch's contribution for input [..., in], shaped [..., out].</summary>
    Tensor Forward(Tensor input);
}

/// <summary>Supplies virtual-token embeddings for prompt tuning.</summary>
public interface IVirtualTokenSource
{
    /// <summary>Number of virtual tokens n.</summary>
    int Count { get; }

    /// <summary>[batch, n, hidden] embeddings to prepend.</summary>
    Tensor Embeddings(long batchSize);
}

/// <summary>Supplies per-layer attention prefixes for P-tuning v2 / prefix tuning.</summary>
public interface IAttentionPrefixSource
{
    /// <summary>Prefix length n.</summary>
    int Length { get; }

    /// <summary>Key and value prefixes for one layer, each [batch, heads, n, head size].</summary>
    (Tensor Key, Tensor Value) Prefix(int layer, long batchSize);
}
