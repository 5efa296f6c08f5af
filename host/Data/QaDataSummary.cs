namespace PeftQa.Host.Data;

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
