namespace PeftQa.Host.Data;

/// <summary>
/// One window of one example: <c>[CLS] question [SEP] context-window [SEP]</c>, unpadded. Token types are 0 up to and
/// including the first [SEP], 1 after. <see cref="ContextOffsets"/> gives, for each context token of the window, its
/// [start, end) span in the example's context; special and question tokens have none.
/// </summary>
/// <param name="ExampleIndex">Index of the example in the data set the features were built from.</param>
/// <param name="ContextTokenStart">Index of the window's first context token in <see cref="InputIds"/>.</param>
/// <param name="StartPosition">Training label: the answer's first token, or 0 ([CLS]) when the answer is not inside this window.</param>
/// <param name="EndPosition">Training label: the answer's last token, or 0.</param>
public sealed record QaFeature(
    int ExampleIndex,
    int[] InputIds,
    int ContextTokenStart,
    (int Start, int End)[] ContextOffsets,
    int StartPosition,
    int EndPosition)
{
    public int Length => InputIds.Length;

    /// <summary>Token index just past the last context token (the final [SEP] sits there).</summary>
    public int ContextTokenEnd => ContextTokenStart + ContextOffsets.Length;
}
