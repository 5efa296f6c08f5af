using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Planning;

namespace PeftQa.Host.Runs;

/// <summary>
/// What a run read besides its recipe, pinned when the run starts (<c>run-inputs.json</c>): each task's data files and
/// the model's files, by size and SHA-256, so <c>--resume</c> notices a data file or model that changed under the same
/// name. Built-in sources are pinned by name (they are generated or shipped with the build). The recipe file the run
/// started from is named too: its folder is where the run's relative paths resolve (<see cref="RunFolderRecipe"/>).
/// </summary>
public static class RunInputs
{
    public const string FileName = RunFolderFiles.RunInputsFile;

    public static JsonObject Describe(RunPlan plan, string recipeDirectory)
    {
        var data = new JsonArray();
        for (int i = 0; i < plan.Tasks.Count; i++)
        {
            var task = plan.Tasks[i];
            if (task.Train is not null)
                data.Add(new JsonObject { ["path"] = $"$.tasks[{i}].{task.TrainField}", ["task"] = task.Name, ["file"] = Fingerprint(task.Train) });
            data.Add(new JsonObject { ["path"] = $"$.tasks[{i}].eval", ["task"] = task.Name, ["file"] = Fingerprint(task.Eval) });
            foreach (var (path, file) in AugmentationFiles(task))
                data.Add(new JsonObject { ["path"] = path, ["task"] = task.Name, ["file"] = Fingerprint(file) });
        }
        var model = new JsonArray();
        if (!plan.Recipe.Model.StartsWith(ModelSources.BuiltinPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var folder = Path.GetFullPath(plan.Recipe.Model, recipeDirectory);
            foreach (var name in (string[])[Checkpoint.ConfigFile, Checkpoint.VocabFile, Checkpoint.WeightsFile, Checkpoint.PickleWeightsFile])
                if (File.Exists(Path.Combine(folder, name))) model.Add(Fingerprint(Path.Combine(folder, name)));
        }
        else model.Add(new JsonObject { ["name"] = plan.Recipe.Model.ToLowerInvariant() });
        return new JsonObject { ["recipe"] = Path.GetFullPath(plan.RecipePath), ["data"] = data, ["model"] = model };
    }

    /// <summary>
    /// The files a task's augmentations read, found as the string options that name an existing file (from-file's path;
    /// a folder such as WordNet's is a system package, not pinned).
    /// </summary>
    private static IEnumerable<(string Path, string File)> AugmentationFiles(TaskPlan task) =>
        from augmentation in task.AugmentVariants.SelectMany(v => v)
        from option in augmentation.Options.GetType().GetProperties().Where(p => p.PropertyType == typeof(string))
        let value = option.GetValue(augmentation.Options) as string
        where !string.IsNullOrEmpty(value) && File.Exists(augmentation.Setup.ResolvePath(value))
        select ($"{augmentation.Path}.options.{JsonNamingPolicy.CamelCase.ConvertName(option.Name)}", augmentation.Setup.ResolvePath(value));

    public static void Write(string runFolder, JsonObject inputs) =>
        AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), inputs.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The inputs pinned when the run started, or null for a run folder from before they were pinned.</summary>
    /// <exception cref="BadInputException">The file is damaged, so the inputs cannot be compared.</exception>
    public static JsonObject? Read(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("expected a JSON object"); }
        catch (JsonException e)
        {
            throw new BadInputException($"--resume: {path} is damaged ({e.Message.Split(" Path:")[0]}), " +
                                        "so the run's data cannot be checked; start a new run");
        }
    }

    /// <summary>
    /// One message per data or model file whose contents differ between the run's start and now. A file that moved
    /// (another data root, another working directory) with the same contents is no change.
    /// </summary>
    public static IEnumerable<string> Changes(JsonObject before, JsonObject now)
    {
        var beforeData = (before["data"] as JsonArray ?? []).ToList();
        var nowData = (now["data"] as JsonArray ?? []).ToList();
        for (int i = 0; i < Math.Min(beforeData.Count, nowData.Count); i++)
            if (!SameContents(beforeData[i]?["file"], nowData[i]?["file"]))
                yield return $"{nowData[i]?["path"]} (task '{nowData[i]?["task"]}'): the data changed since the run started: " +
                             $"{Show(beforeData[i]?["file"])} then, {Show(nowData[i]?["file"])} now";
        var beforeModel = (before["model"] as JsonArray ?? []).ToList();
        var nowModel = (now["model"] as JsonArray ?? []).ToList();
        if (beforeModel.Count != nowModel.Count || beforeModel.Zip(nowModel).Any(pair => !SameContents(pair.First, pair.Second)))
            yield return $"$.model: the model's files changed since the run started ({string.Join(", ", beforeModel.Select(Show))} then, " +
                         $"{string.Join(", ", nowModel.Select(Show))} now)";
    }

    /// <summary>Files by size and hash; built-in sources (no hash) by name.</summary>
    private static bool SameContents(JsonNode? before, JsonNode? now) =>
        before?["sha256"] is null && now?["sha256"] is null
            ? JsonNode.DeepEquals(before?["name"], now?["name"])
            : JsonNode.DeepEquals(before?["sha256"], now?["sha256"]) && JsonNode.DeepEquals(before?["bytes"], now?["bytes"]);

    private static JsonObject Fingerprint(string source)
    {
        if (!File.Exists(source)) return new JsonObject { ["name"] = source };
        using var stream = File.OpenRead(source);
        return new JsonObject
        {
            ["name"] = source,
            ["bytes"] = stream.Length,
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(stream)),
        };
    }

    private static string Show(JsonNode? file) =>
        file?["sha256"] is { } hash ? $"{file["name"]} ({file["bytes"]} bytes, sha256 {hash.GetValue<string>()[..12]})" : $"{file?["name"]}";
}
