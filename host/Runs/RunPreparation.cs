using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Studies;
using PeftQa.Host.Foundation;
using PeftQa.Host.Planning;

namespace PeftQa.Host.Runs;

/// <summary>
/// What a run decides once, before its studies, and every process of the run reads rather than decides again: the
/// baseline (<see cref="BaselineMeasurement"/>, in <c>baseline.json</c>) and, with a search and selection, each method's
/// chosen candidate. <c>prepared.json</c> is written last, so its presence means both are done; the shards of a
/// cluster run wait for it (<c>--stage baseline</c> writes it, or the first shard to lock the folder).
/// </summary>
public static class RunPreparation
{
    public const string FileName = RunFolderFiles.PreparedFile;

    public static bool IsDone(string runFolder) => File.Exists(Path.Combine(runFolder, FileName));

    /// <param name="chosen">Per searched method, the label of its chosen candidate.</param>
    public static void Write(string runFolder, IReadOnlyDictionary<string, StudyPlan> chosen)
    {
        var json = new JsonObject
        {
            ["baseline"] = BaselineMeasurement.File,
            ["chosen"] = new JsonObject(chosen
                .OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value.Label))),
            ["host"] = Environment.MachineName,
            ["time"] = DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz"),
        };
        AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>The plan with each searched method's study made from the candidate the preparation chose.</summary>
    /// <exception cref="BadInputException">The file is damaged or names a candidate the plan does not have.</exception>
    public static RunPlan Apply(string runFolder, RunPlan plan)
    {
        if (!plan.NeedsSelection) return plan;
        var path = Path.Combine(runFolder, FileName);
        JsonObject chosen;
        try { chosen = JsonNode.Parse(File.ReadAllText(path))?["chosen"] as JsonObject ?? throw new JsonException("no \"chosen\" object"); }
        catch (JsonException e)
        {
            throw new BadInputException($"{path}: damaged ({e.Message.Split(" Path:")[0]}); delete it and run --stage baseline again");
        }
        var winners = new Dictionary<string, StudyPlan>();
        foreach (var method in plan.Studies.Where(s => s.ChooseFrom is not null).Select(s => s).DistinctBy(s => s.Method))
        {
            var label = chosen[method.Method]?.GetValue<string>();
            winners[method.Method] = method.ChooseFrom!.FirstOrDefault(c => c.Label == label)
                ?? throw new BadInputException($"{path}: names '{label}' as {method.Method}'s choice, " +
                                               "which is not one of its candidates in the recipe; run --stage baseline again");
        }
        return plan.WithChosen(winners);
    }
}
