using System.Text.Json.Nodes;
using PeftQa.Host.Foundation;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Planning;

namespace PeftQa.Host.Runs;

/// <summary>
/// Before <c>--resume</c> continues a run: the recipe now must be the recipe the run started with, in everything that
/// can change its results, and so must the data and model files it read. The run folder's own recipe.json is the
/// reference and is never rewritten by a resume.
/// </summary>
public static class ResumeCheck
{
    /// <summary>
    /// Fields that change how a run reports or where it writes, never what it computes: resumed runs use the new values.
    /// The data root is here because the data files themselves are compared (<see cref="RunInputs"/>).
    /// </summary>
    public static readonly IReadOnlyList<string> HarmlessFields =
        ["$.$schema", "$.output", "$.dataRoot", "$.training.logEvery", "$.training.checkpointEvery", "$.training.keepCheckpoints", "$.training.reportTo", "$.compare"];

    private static bool IsHarmless(string path) =>
        HarmlessFields.Any(field => path == field || path.StartsWith(field + "[", StringComparison.Ordinal) || path.StartsWith(field + ".", StringComparison.Ordinal));

    /// <summary>The changes that are allowed (for the log); throws when any other change is found.</summary>
    /// <exception cref="BadInputException">Names every field and input file that differs.</exception>
    public static IReadOnlyList<string> Verify(string runFolder, RunPlan plan, JsonObject inputsNow, PluginCatalog plugins)
    {
        var original = ReadOriginal(runFolder);
        var differences = JsonDifferences.Between(EffectiveRecipe.Of(original.Recipe, plugins), plan.EffectiveRecipe);
        var harmful = differences.Where(d => !IsHarmless(d.Path)).Select(d => $"{d.Path}: {d.Change}").ToList();
        var inputsThen = RunInputs.Read(runFolder);
        if (inputsThen is not null) harmful.AddRange(RunInputs.Changes(inputsThen, inputsNow));
        if (harmful.Count > 0)
            throw new BadInputException([
                $"--resume: {plan.RecipePath} differs from the recipe the run in {runFolder} started with ({original.DisplayPath}) in what decides its results:",
                .. harmful.Select(h => "  " + h),
                "Undo these changes to resume, or start a new run (another --out, or --overwrite)."]);
        var allowed = differences.Select(d => $"{d.Path}: {d.Change}").ToList();
        if (inputsThen is null) allowed.Add($"{RunInputs.FileName}: absent (a run folder from an earlier version), so the data files could not be compared");
        return allowed;
    }

    private static RecipeLoader.LoadedRecipe ReadOriginal(string runFolder)
    {
        var recipePath = Path.Combine(runFolder, RunFolder.RecipeFile);
        RecipeLoader.LoadedRecipe original;
        try { original = RecipeLoader.Parse(AsThisVersionReadsIt(File.ReadAllText(recipePath)), recipePath, recipePath); }
        catch (BadInputException e)
        {
            throw new BadInputException([$"--resume: the run's own {recipePath} cannot be read, so the run cannot be checked and continued:", .. e.Problems]);
        }
        return original;
    }

    /// <summary>
    /// A recipe.json from an earlier version, read as that version ran it: a derived "displayName" (not a recipe field)
    /// dropped, and fields added since set to what the earlier version did (no grouping by length).
    /// </summary>
    private static string AsThisVersionReadsIt(string json)
    {
        try
        {
            if (JsonNode.Parse(json) is not JsonObject recipe) return json;
            foreach (var list in (string[])["adapters", "continual"])
                foreach (var item in recipe[list] as JsonArray ?? [])
                    (item as JsonObject)?.Remove("displayName");
            if (recipe["training"] is JsonObject training && !training.ContainsKey("groupByLength")) training["groupByLength"] = false;
            return recipe.ToJsonString();
        }
        catch (System.Text.Json.JsonException)
        {
            return json; // the loader reports it with its line
        }
    }
}
