using System.Text.Json.Nodes;
using PeftQa.Host.Foundation;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Runs;

/// <summary>
/// The recipe a run folder holds (<c>recipe.json</c>, every default filled in), read as if it stood where the run's
/// recipe stood (named in <c>run-inputs.json</c>), so its relative data, model and plugin paths resolve as they did
/// when the run started. Commands given only a run folder (<c>report</c>, <c>status</c>) plan from it.
/// </summary>
public static class RunFolderRecipe
{
    /// <exception cref="BadInputException">The folder holds no run, or its recipe cannot be read.</exception>
    public static RecipeLoader.LoadedRecipe Load(string runFolder)
    {
        var recipePath = Path.Combine(runFolder, RunFolder.RecipeFile);
        if (File.Exists(runFolder))
            throw new BadInputException(
                $"{Path.GetFullPath(runFolder)}: is a file, not a run folder; give the folder that holds {RunFolder.RecipeFile}");
        if (!Directory.Exists(runFolder))
            throw new BadInputException($"{Path.GetFullPath(runFolder)}: does not exist; give a run folder (the --out of peftqa run)");
        if (!File.Exists(recipePath))
            throw new BadInputException($"{Path.GetFullPath(runFolder)}: holds no {RunFolder.RecipeFile}, " +
                                        "so it is not a run folder (or its run never started)");
        var startedFrom = RunInputs.Read(runFolder)?["recipe"]?.GetValue<string>();
        return RecipeLoader.Parse(AsThisVersionReadsIt(File.ReadAllText(recipePath)), recipePath, startedFrom ?? Path.GetFullPath(recipePath));
    }

    /// <summary>
    /// A recipe.json from an earlier version, read as that version ran it: a derived "displayName" (not a recipe field)
    /// dropped, and fields added since set to what the earlier version did (no grouping by length, fp32, the model's
    /// hidden dropout, LoRA's two rank-r products).
    /// </summary>
    private static string AsThisVersionReadsIt(string json)
    {
        try
        {
            if (JsonNode.Parse(json) is not JsonObject recipe) return json;
            foreach (var list in (string[])["adapters", "continual"])
                foreach (var item in recipe[list] as JsonArray ?? [])
                    (item as JsonObject)?.Remove("displayName");
            foreach (var adapter in (recipe["adapters"] as JsonArray ?? []).OfType<JsonObject>())
                if (adapter["strategy"]?.GetValue<string>() == "lora" && adapter["options"] is JsonObject options
                    && !options.ContainsKey("singleProduct")) options["singleProduct"] = false;
            if (recipe["training"] is JsonObject training)
            {
                if (!training.ContainsKey("groupByLength")) training["groupByLength"] = false;
                if (!training.ContainsKey("precision")) training["precision"] = "fp32";
                if (!training.ContainsKey("hiddenDropout")) training["hiddenDropout"] = null;
            }
            return recipe.ToJsonString();
        }
        catch (System.Text.Json.JsonException)
        {
            return json; // the loader reports it with its line
        }
    }
}
