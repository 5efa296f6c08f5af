namespace PeftQa.Abstractions;

/// <summary>A paragraph of a task's training data (with its article's title), whether or not it has a question in the sample trained.</summary>
public sealed record ContextParagraph(string Title, string Context);
