using PeftQa.Host.Foundation;

namespace PeftQa.Host.Data;

/// <summary>The limits on window options given on the command line (<c>--max-length</c>, <c>--doc-stride</c>), the same as a recipe's.</summary>
public static class WindowOptions
{
    /// <summary>Fewer tokens leave no room for a question and a piece of context beside [CLS] and two [SEP].</summary>
    public const int MinLength = 16;

    /// <param name="maxPositions">The model's position embeddings, once it is known; a longer window cannot be encoded.</param>
    /// <param name="virtualTokens">Tokens a soft-prompt adapter prepends to every window, which take positions too.</param>
    public static void Check(int maxLength, int docStride, int? maxPositions, int virtualTokens = 0)
    {
        if (maxLength < MinLength) throw new BadInputException($"--max-length {maxLength}: expected at least {MinLength} tokens");
        if (docStride < 0 || docStride >= maxLength)
            throw new BadInputException($"--doc-stride {docStride}: expected 0 or more and below --max-length ({maxLength})");
        if (maxPositions is not { } positions || maxLength <= Longest(positions, virtualTokens)) return;
        throw new BadInputException(virtualTokens == 0
            ? $"--max-length {maxLength}: the model has {positions} position embeddings (max_position_embeddings), " +
              $"so a window holds at most {Longest(positions, 0)} tokens"
            : $"--max-length {maxLength}: the adapter prepends {virtualTokens} virtual tokens and the model has {positions} position embeddings " +
              $"(max_position_embeddings), so a window holds at most {Longest(positions, virtualTokens)} tokens " +
              $"(padded to a multiple of {FeatureBatch.PadMultiple})");
    }

    /// <summary>
    /// The longest window a model encodes after <paramref name="virtualTokens"/>: a batch is padded up to a multiple of
    /// <see cref="FeatureBatch.PadMultiple"/> tokens, and the padding takes positions too.
    /// </summary>
    public static int Longest(int maxPositions, int virtualTokens) =>
        (maxPositions - virtualTokens) / FeatureBatch.PadMultiple * FeatureBatch.PadMultiple;
}
