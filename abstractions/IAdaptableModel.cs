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
    /// The QA head's parameters (the module <see cref="ModelDescription.HeadModuleName"/>): what PEFT's
    /// <c>modules_to_save</c> keeps trainable beside an adapter. Use this rather than matching names.
    /// </summary>
    IReadOnlyList<NamedParameter> HeadParameters { get; }

    /// <summary>Where the model's parameters live; create new parameters here.</summary>
    Device Device { get; }

    /// <summary>The dtype parameters are kept in (the fp32 master weights); create new parameters with it.</summary>
    ScalarType ParameterDType { get; }

    /// <summary>
    /// The dtype the Linear layers' products and attention run in: <see cref="ParameterDType"/>, or bfloat16 under bf16
    /// mixed precision (<c>training.precision</c>, <c>--precision</c>). An <see cref="ILinearExtension"/> receives its
    /// tensors in it: cast your parameters to the dtype of the tensors you are given (<c>A.InDTypeOf(input)</c>, <see cref="ComputeDTypeCast"/>);
    /// autograd carries the gradients back to the fp32 parameters, which the optimizer updates in fp32.
    /// </summary>
    ScalarType ComputeDType => ParameterDType;

    /// <summary>
    /// The Linear layers of the attention and feed-forward blocks, which methods extend (<see cref="ILinearExtension"/>),
    /// keyed by Hugging Face module name, for example <c>bert.encoder.layer.0.attention.self.query</c> or
    /// <c>bert.encoder.layer.5.output.dense</c>.
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
