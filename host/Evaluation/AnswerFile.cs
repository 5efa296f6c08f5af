using System.Text.Json;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Evaluation;

/// <summary>
/// A task's answers, one entry per question (<c>id</c>, <c>prediction</c>, <c>gold</c>): after a study's last task in
/// <c>studies/&lt;label&gt;/answers/&lt;task&gt;.json</c>, after each task in <c>answers/after-task-N/</c>, and before any
/// training in the run's <c>answers-before-training/</c>. The bootstrap intervals (scores, R entries, BWT, retention) and the
/// paired differences between studies are computed from them, so a comparison of finished runs needs neither the model nor the data.
/// </summary>
public static class AnswerFile
{
    private sealed record Entry(string Id, string Prediction, IReadOnlyList<string> Gold);

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string PathFor(string answersFolder, string task) => Path.Combine(answersFolder, RunFolderFiles.TaskAnswersFile(task));

    /// <summary>The run's answers before any training (the baseline's), one file per task: <c>&lt;run&gt;/answers-before-training/</c>.</summary>
    public static string BaselineFolder(string runFolder) => Path.Combine(runFolder, RunFolderFiles.BaselineAnswersFolder);

    /// <summary>A study's answers after training through task <paramref name="task"/> (from 0): <c>answers/after-task-N/</c>.</summary>
    public static string AfterTaskFolder(string answersFolder, int task) => Path.Combine(answersFolder, RunFolderFiles.AfterTaskFolder(task));

    /// <summary>Every question's answer beside its gold answers (none for an unanswerable question: the empty string).</summary>
    public static IEnumerable<AnswerPair> Pairs(IReadOnlyList<Data.QaExample> examples, EvaluationResult result) =>
        examples.Select(e => new AnswerPair(e.Id, result.Predictions.TryGetValue(e.Id, out var p) ? p.Text : "",
            e.IsImpossible ? [""] : e.Answers.Select(a => a.Text).ToList()));

    public static void Save(string path, IEnumerable<AnswerPair> answers)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(answers.Select(a => new Entry(a.QuestionId, a.Prediction, a.GoldAnswers)), Options));
    }

    /// <summary>The answers in the file; null when there is none (a run from before answers were kept).</summary>
    /// <exception cref="BadInputException">The file is damaged.</exception>
    public static IReadOnlyList<AnswerPair>? Load(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var entries = JsonSerializer.Deserialize<List<Entry>>(File.ReadAllText(path), Options) ?? throw new JsonException("null");
            return entries.Select(e => new AnswerPair(e.Id, e.Prediction, e.Gold)).ToList();
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{path}: not an answers file as peftqa writes it: {e.Message.Split(" Path:")[0]}");
        }
    }
}
