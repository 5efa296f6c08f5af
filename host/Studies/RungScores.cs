using System.Text.Json;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Studies;

/// <summary>
/// A candidate's validation scores at each halving rung it paused at (<c>rungs.json</c> in its study folder, keyed by
/// step): the weights at a rung are gone once the candidate trains on, so a resumed selection reads the scores back.
/// </summary>
public static class RungScores
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static IReadOnlyDictionary<int, IReadOnlyDictionary<string, double>> Load(string studyFolder)
    {
        var path = Path.Combine(studyFolder, RunFolderFiles.RungScoresFile);
        if (!File.Exists(path)) return new Dictionary<int, IReadOnlyDictionary<string, double>>();
        try
        {
            var saved = JsonSerializer.Deserialize<Dictionary<int, Dictionary<string, double>>>(File.ReadAllText(path), Json)
                ?? throw new JsonException("null");
            return saved.ToDictionary(r => r.Key, r => (IReadOnlyDictionary<string, double>)r.Value);
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{path}: damaged ({e.Message.Split(" Path:")[0].TrimEnd('.')}); " +
                                        $"delete the candidate's folder ({studyFolder}) to train it again, then --resume");
        }
    }

    public static void Save(string studyFolder, int step, IReadOnlyDictionary<string, double> scores)
    {
        var all = Load(studyFolder).ToDictionary(r => r.Key, r => r.Value.ToDictionary());
        all[step] = scores.ToDictionary();
        AtomicFile.WriteAllText(Path.Combine(studyFolder, RunFolderFiles.RungScoresFile), JsonSerializer.Serialize(all, Json));
    }
}
