using System.Text.Json;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Evaluation;

/// <summary>
/// A task's answers after a study's last task, one entry per question (<c>id</c>, <c>prediction</c>, <c>gold</c>), in
/// <c>studies/&lt;label&gt;/answers/&lt;task&gt;.json</c>: what the bootstrap intervals and the paired differences between
/// studies are computed from, so a comparison of finished runs needs neither the model nor the data.
/// </summary>
public static class AnswerFile
{
    private sealed record Entry(string Id, string Prediction, IReadOnlyList<string> Gold);

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string PathFor(string answersFolder, string task) => Path.Combine(answersFolder, FolderNames.For(task) + ".json");

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
