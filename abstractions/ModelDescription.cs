namespace PeftQa.Abstractions;

/// <summary>The shape of the encoder a strategy attaches to; enough to size adapters and to refuse mismatched files.</summary>
/// <param name="BaseModel">Where the base weights came from (a folder or <c>builtin:minilm-l6</c>); recorded in saved adapters.</param>
public sealed record ModelDescription(
    string BaseModel,
    int HiddenSize,
    int NumLayers,
    int NumAttentionHeads,
    int IntermediateSize,
    int VocabSize,
    int MaxPositionEmbeddings)
{
    /// <summary>
    /// The longest input (in tokens) the run will feed, when known: the recipe's window length rounded up to the host's
    /// batch padding. Strategies that add virtual tokens check it still fits the model's positions.
    /// </summary>
    public int? SequenceLength { get; init; }

    /// <summary>
    /// The QA head's module name (Hugging Face: <c>qa_outputs</c>), for PEFT's <c>modules_to_save</c>; its parameters are
    /// <see cref="IAdaptableModel.HeadParameters"/>.
    /// </summary>
    public string HeadModuleName { get; init; } = "qa_outputs";

    /// <summary>Size of one attention head.</summary>
    public int HeadSize => HiddenSize / NumAttentionHeads;
}
