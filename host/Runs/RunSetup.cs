using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Runs;

/// <summary>
/// What a finished run's scores depend on besides its strategies, read from its <c>recipe.json</c> (every default filled
/// in) and <c>run-inputs.json</c> (each data file by size and SHA-256): the data files, the evaluation set and the
/// training budget. Runs are comparable only when these match, so <c>peftqa compare</c> checks them before it puts two
/// runs' studies side by side.
/// </summary>
public sealed class RunSetup
{
    /// <summary>The training fields that set how much each strategy trains, and on which windows.</summary>
    private static readonly string[] BudgetFields = ["maxSteps", "epochs", "batchSize", "gradientAccumulation", "maxSequenceLength", "docStride"];

    private readonly List<Item> items = [];

    private RunSetup(string folder, string? unreadable)
    {
        Folder = folder;
        Unreadable = unreadable;
    }

    /// <summary>The run folder as given on the command line.</summary>
    public string Folder { get; }

    /// <summary>Why the setup cannot be read (no recipe.json, damaged), or null.</summary>
    public string? Unreadable { get; }

    /// <summary>
    /// One thing that must match: its group ("data files", "evaluation set", "steps/budget"), its JSON path, what it is
    /// compared by and how it is shown.
    /// </summary>
    private sealed record Item(string Group, string Path, string Key, string Shown);

    public static RunSetup Read(string runFolder)
    {
        var recipePath = Path.Combine(runFolder, RunFolderFiles.RecipeFile);
        if (!File.Exists(recipePath))
            return new RunSetup(runFolder, $"holds no {RunFolderFiles.RecipeFile}, so its data and budget cannot be checked");
        JsonObject recipe;
        JsonObject? inputs;
        try
        {
            recipe = JsonNode.Parse(File.ReadAllText(recipePath)) as JsonObject ?? throw new JsonException("not a JSON object");
            var inputsPath = Path.Combine(runFolder, RunFolderFiles.RunInputsFile);
            inputs = File.Exists(inputsPath) ? JsonNode.Parse(File.ReadAllText(inputsPath)) as JsonObject : null;
        }
        catch (JsonException e)
        {
            return new RunSetup(runFolder, $"{RunFolderFiles.RecipeFile} or {RunFolderFiles.RunInputsFile} is damaged " +
                                           $"({e.Message.Split(" Path:")[0]}), so its data and budget cannot be checked");
        }
        var setup = new RunSetup(runFolder, null);
        setup.AddTasks(recipe, inputs);
        setup.AddBudget(recipe);
        return setup;
    }

    /// <summary>
    /// One line per group in which <paramref name="other"/> differs from this run, naming each differing field with both
    /// values (run-b's after "vs"); empty when the two are comparable.
    /// </summary>
    public List<string> Differences(RunSetup other)
    {
        var ours = items.ToDictionary(i => i.Path);
        var theirs = other.items.ToDictionary(i => i.Path);
        return ours.Keys.Union(theirs.Keys)
            .Select(path => (Ours: ours.GetValueOrDefault(path), Theirs: theirs.GetValueOrDefault(path), Path: path))
            .Where(p => p.Ours?.Key != p.Theirs?.Key)
            .GroupBy(p => (p.Ours ?? p.Theirs)!.Group)
            .Select(g => $"{g.Key} ({string.Join("; ", g.Select(p => $"{p.Path}: {p.Ours?.Shown ?? "absent"} vs {p.Theirs?.Shown ?? "absent"}"))})")
            .ToList();
    }

    private void AddTasks(JsonObject recipe, JsonObject? inputs)
    {
        var tasks = recipe["tasks"] as JsonArray ?? [];
        Add("data files", "$.tasks.length", tasks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        for (int i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i] as JsonObject ?? [];
            var at = $"$.tasks[{i}]";
            foreach (var field in (string[])["name", "maxTrainExamples", "split", "retention"]) Add("data files", $"{at}.{field}", task[field]);
            AddFile("data files", $"{at}.train", task["train"], inputs);
            AddFile("data files", $"{at}.memory", task["memory"], inputs);
            AddFile("evaluation set", $"{at}.eval", task["eval"], inputs);
            Add("evaluation set", $"{at}.maxEvalExamples", task["maxEvalExamples"]);
            Add("steps/budget", $"{at}.maxSteps", task["maxSteps"]);
        }
    }

    private void AddBudget(JsonObject recipe)
    {
        foreach (var field in BudgetFields) Add("steps/budget", $"$.training.{field}", recipe["training"]?[field]);
    }

    private void Add(string group, string path, JsonNode? value) => Add(group, path, value?.ToJsonString() ?? "none");

    private void Add(string group, string path, string value) => items.Add(new Item(group, path, value, value));

    /// <summary>
    /// A data file by its contents where the run pinned them (so the same file in another folder matches), else by the
    /// name the recipe gives.
    /// </summary>
    private void AddFile(string group, string path, JsonNode? recipeValue, JsonObject? inputs)
    {
        if (recipeValue is null) return;
        var pinned = (inputs?["data"] as JsonArray ?? []).FirstOrDefault(d => d?["path"]?.ToString() == path)?["file"];
        var name = recipeValue is JsonValue value && value.TryGetValue<string>(out var text) ? text : recipeValue.ToJsonString();
        if (pinned?["sha256"]?.ToString() is { Length: >= 12 } sha)
            items.Add(new Item(group, path, $"sha256:{sha}", $"{name} (sha256 {sha[..12]})"));
        else
            items.Add(new Item(group, path, name, name));
    }
}
