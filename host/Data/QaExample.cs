namespace PeftQa.Host.Data;

/// <summary>One extractive question over one context. <see cref="Answers"/> is empty only for SQuAD v2 unanswerable questions.</summary>
public sealed record QaExample(string Id, string Title, string Context, string Question, IReadOnlyList<QaAnswer> Answers, bool IsImpossible);
