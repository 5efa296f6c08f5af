namespace PeftQa.Abstractions;

/// <summary>
/// One training question as a data augmentation sees it: SQuAD's fields, each answer a text and its UTF-16 start in the
/// context (<c>Context.Substring(Start, Text.Length) == Text</c>).
/// </summary>
/// <param name="Id">Unique among a task's training questions; an augmentation gives every question it adds a new id.</param>
public sealed record TrainingQuestion(string Id, string Title, string Context, string Question, IReadOnlyList<AnswerSpan> Answers)
{
    /// <summary>
    /// The id of the given question this one was made from (a paraphrase, a longer context), null for a question from
    /// elsewhere: its answers must be that question's answer texts, in the same order, each pointing at that text in its
    /// own context.
    /// </summary>
    public string? DerivedFrom { get; init; }
}

/// <summary>A gold answer: its text and where it starts in the context (UTF-16 index).</summary>
public sealed record AnswerSpan(string Text, int Start)
{
    public int End => Start + Text.Length;
}
