using PeftQa.Abstractions;

namespace PeftQa.Host.Planning;

/// <summary>
/// What the host demands of every question an augmentation returns: answers that still point at their text (a derived
/// question's answers are its source's texts), ids that are new or a given question's, and no repeat of an evaluation or
/// validation question. Each problem names the augmentation and the question id.
/// </summary>
public static class AugmentationGuard
{
    /// <summary>Problems with <paramref name="returned"/>, each prefixed with <paramref name="augmentation"/>; empty when all hold.</summary>
    /// <param name="heldOut">Ids and (question, context) pairs of the task's evaluation and validation questions.</param>
    public static IReadOnlyList<string> Check(
        string augmentation, IReadOnlyList<TrainingQuestion> given, IReadOnlyList<TrainingQuestion> returned, HeldOutQuestions heldOut)
    {
        var byId = given.GroupBy(q => q.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var question in returned)
        {
            string at = $"{augmentation}: question '{question.Id}'" + (question.DerivedFrom is { } from ? $" (made from '{from}')" : "");
            if (string.IsNullOrEmpty(question.Id)) problems.Add($"{augmentation}: a question without an id (question \"{question.Question}\")");
            else if (!seen.Add(question.Id)) problems.Add($"{at}: returned twice");
            problems.AddRange(AnswerProblems(question, byId).Select(p => $"{at}: {p}"));
            if (heldOut.Contains(question)) problems.Add($"{at}: repeats an evaluation or validation question, which training must never see");
        }
        return problems;
    }

    private static IEnumerable<string> AnswerProblems(TrainingQuestion question, IReadOnlyDictionary<string, TrainingQuestion> given)
    {
        var source = question.DerivedFrom is { } from ? given.GetValueOrDefault(from) : given.GetValueOrDefault(question.Id);
        if (question.DerivedFrom is { } missing && source is null)
            yield return $"made from '{missing}', which is not one of the questions given";
        if (source is not null && !source.Answers.Select(a => a.Text).SequenceEqual(question.Answers.Select(a => a.Text), StringComparer.Ordinal))
            yield return $"its answers ({Texts(question)}) are not those of '{source.Id}' ({Texts(source)})";
        if (question.Answers.Count == 0 && (source is null || source.Answers.Count > 0))
            yield return "has no answer";
        for (int k = 0; k < question.Answers.Count; k++)
        {
            var answer = question.Answers[k];
            if (answer.Start < 0 || answer.End > question.Context.Length)
                yield return $"answer {k} \"{answer.Text}\" starts at {answer.Start}, outside its context of {question.Context.Length} characters";
            else if (string.CompareOrdinal(question.Context, answer.Start, answer.Text, 0, answer.Text.Length) != 0)
                yield return $"answer {k} \"{answer.Text}\" no longer points at its text: the context has " +
                             $"\"{question.Context.Substring(answer.Start, answer.Text.Length)}\" at {answer.Start}";
        }
    }

    private static string Texts(TrainingQuestion question) => string.Join(", ", question.Answers.Select(a => $"\"{a.Text}\""));
}

/// <summary>A task's evaluation and validation questions, which no augmentation may add to its training data.</summary>
public sealed class HeldOutQuestions(IEnumerable<(string Id, string Question, string Context)> questions)
{
    private readonly List<(string Id, string Question, string Context)> all = questions.ToList();
    private HashSet<string>? ids;
    private HashSet<(string, string)>? texts;

    public bool Contains(TrainingQuestion question)
    {
        ids ??= all.Select(q => q.Id).ToHashSet(StringComparer.Ordinal);
        texts ??= all.Select(q => (Normalize(q.Question), q.Context)).ToHashSet();
        return ids.Contains(question.Id) || texts.Contains((Normalize(question.Question), question.Context));
    }

    private static string Normalize(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
}
