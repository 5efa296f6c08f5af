namespace PeftQa.Host.Data.Tokenization;

/// <summary>A word after basic tokenization: its normalized text and, for each normalized char, the original span it came from.</summary>
/// <param name="Text">Lowercased, accent-stripped text of the word.</param>
/// <param name="Sources">For each char of <paramref name="Text"/>, the [start, end) UTF-16 span of the original character it came from.</param>
public sealed record BasicWord(string Text, (int Start, int End)[] Sources)
{
    public int Start => Sources[0].Start;

    public int End => Sources[^1].End;
}
