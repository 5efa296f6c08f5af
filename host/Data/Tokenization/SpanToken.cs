namespace PeftQa.Host.Data.Tokenization;

/// <summary>A token id with the [start, end) UTF-16 span of the original text it covers.</summary>
public readonly record struct SpanToken(int Id, int Start, int End);
