namespace PeftQa.Host.Data;

/// <summary>A gold answer: its text and where it starts in the context (UTF-16 index).</summary>
public sealed record QaAnswer(string Text, int Start)
{
    public int End => Start + Text.Length;
}
