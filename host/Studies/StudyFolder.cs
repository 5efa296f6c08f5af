using System.Text.Json;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Studies;

/// <summary>
/// A study's own folder in a run folder, <c>studies/&lt;label&gt;/</c>: everything a study writes goes there, so studies
/// run by different processes (shards of a cluster run) never write one file. A finished study leaves its result in
/// <c>result.json</c>, which reports read back; a study that failed leaves <c>failure.json</c> with the error. Its
/// training curve is its own <c>metrics.jsonl</c>.
/// </summary>
public static class StudyFolder
{
    public const string ResultFile = RunFolderFiles.StudyResultFile;
    public const string FailureFile = RunFolderFiles.StudyFailureFile;
    public const string MetricsFile = RunFolderFiles.MetricsFile;
    public const string StateFile = RunFolderFiles.StudyStateFile;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string For(string runFolder, string label) => Path.Combine(runFolder, RunFolderFiles.StudiesFolder, FolderNames.For(label));

    /// <summary>Written last, atomically, when every task is trained and evaluated and the study's outputs are saved.</summary>
    public static void SaveResult(string runFolder, StudyResult result) =>
        AtomicFile.WriteAllText(Path.Combine(For(runFolder, result.Label), RunFolderFiles.StudyResultFile), JsonSerializer.Serialize(result, Json));

    /// <summary>The finished study's result, or null when it has not finished.</summary>
    /// <exception cref="BadInputException">The file is damaged.</exception>
    public static StudyResult? LoadResult(string runFolder, string label)
    {
        var path = Path.Combine(For(runFolder, label), RunFolderFiles.StudyResultFile);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<StudyResult>(File.ReadAllText(path), Json) ?? throw new JsonException("null"); }
        catch (JsonException e)
        {
            throw new BadInputException(
                $"{path}: the study's result is damaged ({e.Message.Split(" Path:")[0]}); delete it and run the study again with --resume");
        }
    }

    /// <summary>Why the study stopped, for <c>peftqa status</c>; cleared when the study is run again.</summary>
    public static void SaveFailure(string runFolder, string label, string message) =>
        AtomicFile.WriteAllText(Path.Combine(For(runFolder, label), RunFolderFiles.StudyFailureFile),
            JsonSerializer.Serialize(new Failure(message, DateTimeOffset.Now, Environment.MachineName), Json));

    public static Failure? LoadFailure(string runFolder, string label)
    {
        var path = Path.Combine(For(runFolder, label), RunFolderFiles.StudyFailureFile);
        try { return File.Exists(path) ? JsonSerializer.Deserialize<Failure>(File.ReadAllText(path), Json) : null; }
        catch (JsonException) { return new Failure($"{path} is damaged", File.GetLastWriteTime(path), ""); }
    }

    public static void ClearFailure(string runFolder, string label) =>
        File.Delete(Path.Combine(For(runFolder, label), RunFolderFiles.StudyFailureFile));

    public sealed record Failure(string Message, DateTimeOffset Time, string Host);
}
