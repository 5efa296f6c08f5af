namespace PeftQa.Host.Data;

/// <summary>A gold answer: its text and where it starts in the context (UTF-16 index).</summary>
public sealed record QaAnswer(string Text, int Start)
{
    public int End => Start + Text.Length;
}

/// <summary>One extractive question over one context. <see cref="Answers"/> is empty only for SQuAD v2 unanswerable questions.</summary>
public sealed record QaExample(string Id, string Title, string Context, string Question, IReadOnlyList<QaAnswer> Answers, bool IsImpossible);

/// <summary>What a data file held and what was wrong with it.</summary>
public sealed record QaDataSummary(
    string Source,
    string? Version,
    int Articles,
    int Paragraphs,
    int Questions,
    int Answers,
    int Unanswerable,
    int SkippedQuestions,
    IReadOnlyList<string> Problems);

/// <summary>A data set ready for feature building.</summary>
public sealed record QaDataSet(IReadOnlyList<QaExample> Examples, QaDataSummary Summary);
