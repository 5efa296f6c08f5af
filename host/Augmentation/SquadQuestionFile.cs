using System.Text.Json;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Augmentation;

/// <summary>
/// A SQuAD v1.1-layout file read as training questions (<c>{"data": [{"title", "paragraphs": [{"context", "qas": [{"id",
/// "question", "answers": [{"text", "answer_start"}]}]}]}]}</c>), with what is wrong in it: the layout, and every question
/// with no answer, an answer not at its <c>answer_start</c>, or an id used before.
/// </summary>
public sealed record SquadQuestionFile(IReadOnlyList<TrainingQuestion> Questions, IReadOnlyList<string> Problems)
{
    /// <summary>Problems listed one by one before the rest are counted.</summary>
    public const int ProblemsListed = 5;

    /// <summary>The last file read, kept while it is unchanged (its size and time of writing): the check before any work and
    /// every sample's augmentation read the same file, which for SQuAD's training set takes about half a second a time.</summary>
    private static (string Path, long Bytes, DateTime Written, SquadQuestionFile File)? lastRead;

    private static readonly Lock ReadLock = new();

    /// <summary>Reads <paramref name="path"/>; a missing, unreadable or malformed file is a problem, not an exception.</summary>
    public static SquadQuestionFile Read(string path)
    {
        if (!File.Exists(path)) return Failed($"file {path} not found");
        var info = new FileInfo(path);
        lock (ReadLock)
        {
            if (lastRead is { } last && last.Path == info.FullName && last.Bytes == info.Length && last.Written == info.LastWriteTimeUtc)
                return last.File;
            var file = ReadUncached(path);
            lastRead = (info.FullName, info.Length, info.LastWriteTimeUtc, file);
            return file;
        }
    }

    private static SquadQuestionFile ReadUncached(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            return Parse(path, document.RootElement);
        }
        catch (JsonException e)
        {
            return Failed($"{path} is not valid JSON: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed($"{path} cannot be read: {e.Message}");
        }
    }

    private static SquadQuestionFile Failed(string problem) => new([], [problem]);

    private static SquadQuestionFile Parse(string path, JsonElement root)
    {
        string layout = $"{path} is not in SQuAD's layout ({{\"data\": [{{\"title\", \"paragraphs\": [{{\"context\", \"qas\": [...]}}]}}]}})";
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            return Failed($"{layout}: no \"data\" array");

        var questions = new List<TrainingQuestion>();
        var bad = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int a = 0;
        foreach (var article in data.EnumerateArray())
        {
            string where = $"$.data[{a++}]";
            if (article.ValueKind != JsonValueKind.Object || !article.TryGetProperty("paragraphs", out var paragraphs)
                || paragraphs.ValueKind != JsonValueKind.Array)
                return Failed($"{layout}: {where} has no \"paragraphs\" array");
            string title = Text(article, "title") ?? "";
            int p = 0;
            foreach (var paragraph in paragraphs.EnumerateArray())
            {
                string at = $"{where}.paragraphs[{p++}]";
                if (paragraph.ValueKind != JsonValueKind.Object || Text(paragraph, "context") is not { } context)
                    return Failed($"{layout}: {at} has no \"context\" string");
                if (!paragraph.TryGetProperty("qas", out var qas) || qas.ValueKind != JsonValueKind.Array)
                    return Failed($"{layout}: {at} has no \"qas\" array");
                int q = 0;
                foreach (var qa in qas.EnumerateArray())
                {
                    string qAt = $"{at}.qas[{q++}]";
                    if (qa.ValueKind != JsonValueKind.Object || Text(qa, "id") is not { } id || Text(qa, "question") is not { } question)
                        return Failed($"{layout}: {qAt} has no \"id\" and \"question\" strings");
                    if (Answers(qa, context) is not { } answers)
                        return Failed($"{layout}: {qAt} (question {id}) has no \"answers\" array of {{\"text\", \"answer_start\"}}");
                    if (!ids.Add(id)) bad.Add($"question {id}: the id is used before in the file");
                    if (answers.Count == 0) bad.Add($"question {id} has no answers");
                    foreach (var answer in answers.Where(x => !PointsAtText(context, x)))
                        bad.Add($"question {id}: answer \"{answer.Text}\" is not at answer_start " +
                                $"{CodePoints.CodePointIndex(context, answer.Start)} of its context");
                    questions.Add(new TrainingQuestion(id, title, context, question, answers));
                }
            }
        }

        var problems = bad.Take(ProblemsListed).Select(b => $"{path}: {b}").ToList();
        if (bad.Count > ProblemsListed) problems.Add($"{path}: and {bad.Count - ProblemsListed} more problems with its questions");
        return new SquadQuestionFile(questions, problems);
    }

    private static bool PointsAtText(string context, AnswerSpan answer) =>
        answer.Start >= 0 && answer.End <= context.Length && string.CompareOrdinal(context, answer.Start, answer.Text, 0, answer.Text.Length) == 0;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The answers, each start turned from SQuAD's code points into a UTF-16 index of <paramref name="context"/>.</summary>
    private static List<AnswerSpan>? Answers(JsonElement qa, string context)
    {
        if (!qa.TryGetProperty("answers", out var answers) || answers.ValueKind != JsonValueKind.Array) return null;
        var spans = new List<AnswerSpan>();
        foreach (var answer in answers.EnumerateArray())
        {
            if (answer.ValueKind != JsonValueKind.Object || Text(answer, "text") is not { } text) return null;
            if (!answer.TryGetProperty("answer_start", out var start) || !start.TryGetInt32(out int offset)) return null;
            spans.Add(new AnswerSpan(text, CodePoints.Utf16Index(context, offset)));
        }

        return spans;
    }
}
