using PeftQa.Host.Foundation;

namespace PeftQa.Host.Data;

/// <summary>The limits on window options given on the command line (<c>--max-length</c>, <c>--doc-stride</c>), the same as a recipe's.</summary>
public static class WindowOptions
{
    /// <summary>Fewer tokens leave no room for a question and a piece of context beside [CLS] and two [SEP].</summary>
    public const int MinLength = 16;

    /// <param name="maxPositions">The model's position embeddings, once it is known; a longer window cannot be encoded.</param>
    public static void Check(int maxLength, int docStride, int? maxPositions)
    {
        if (maxLength < MinLength) throw new BadInputException($"--max-length {maxLength}: expected at least {MinLength} tokens");
        if (docStride < 0 || docStride >= maxLength) throw new BadInputException($"--doc-stride {docStride}: expected 0 or more and below --max-length ({maxLength})");
        if (maxPositions is { } positions && maxLength > positions)
            throw new BadInputException($"--max-length {maxLength}: the model has {positions} position embeddings (max_position_embeddings), so a window holds at most {positions} tokens");
    }
}
