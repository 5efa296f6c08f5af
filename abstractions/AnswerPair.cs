namespace PeftQa.Abstractions;

/// <summary>One question's predicted answer and every gold answer for it.</summary>
public sealed record AnswerPair(string QuestionId, string Prediction, IReadOnlyList<string> GoldAnswers);
