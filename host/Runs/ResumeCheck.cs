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
    [
        "$.$schema", "$.output", "$.dataRoot",
        "$.training.logEvery", "$.training.checkpointEvery", "$.training.keepCheckpoints", "$.training.reportTo",
        "$.compare",
    ];

    private static bool IsHarmless(string path) =>
        HarmlessFields.Any(field => path == field
            || path.StartsWith(field + "[", StringComparison.Ordinal)
            || path.StartsWith(field + ".", StringComparison.Ordinal));

    /// <summary>The changes that are allowed (for the log); throws when any other change is found.</summary>
    /// <exception cref="BadInputException">Names every field and input file that differs.</exception>
    /// <param name="setByOptions">Recipe fields a command-line option replaced (<c>$.training.precision</c> by <c>--precision</c>):
    /// a difference there is the option's, and the message says so.</param>
    public static IReadOnlyList<string> Verify(string runFolder, RunPlan plan, JsonObject inputsNow, PluginCatalog plugins,
        IReadOnlyDictionary<string, string>? setByOptions = null)
    {
        setByOptions ??= new Dictionary<string, string>();
        var original = ReadOriginal(runFolder);
        var differences = JsonDifferences.Between(EffectiveRecipe.Of(original.Recipe, plugins), plan.EffectiveRecipe)
            .Where(d => !IsHarmless(d.Path)).ToList();
        var fromOptions = differences.Where(d => setByOptions.ContainsKey(d.Path))
            .Select(d => $"{setByOptions[d.Path]} (sets {d.Path}): {d.Change}; " +
                         $"the run started with the value on the left: give that, or leave {setByOptions[d.Path]} out")
            .ToList();
        var harmful = differences.Where(d => !setByOptions.ContainsKey(d.Path)).Select(d => $"{d.Path}: {d.Change}").ToList();
        var inputsThen = RunInputs.Read(runFolder);
        if (inputsThen is not null) harmful.AddRange(RunInputs.Changes(inputsThen, inputsNow));
        if (harmful.Count == 0 && fromOptions.Count > 0)
            throw new BadInputException([$"The options given differ from how the run in {runFolder} started, in what decides its results:",
                .. fromOptions.Select(h => "  " + h)]);
        if (harmful.Count > 0)
            throw new BadInputException([
                $"{plan.RecipePath} differs from the recipe the run in {runFolder} started with ({original.DisplayPath}) " +
                "in what decides its results:",
                .. harmful.Select(h => "  " + h),
                .. fromOptions.Select(h => "  " + h),
                "Undo these changes to resume, or start a new run (another --out, or --overwrite)."]);
        var allowed = JsonDifferences.Between(EffectiveRecipe.Of(original.Recipe, plugins), plan.EffectiveRecipe)
            .Select(d => $"{d.Path}: {d.Change}").ToList();
        if (inputsThen is null)
            allowed.Add($"{RunInputs.FileName}: absent (a run folder from an earlier version), so the data files could not be compared");
        return allowed;
    }

    private static RecipeLoader.LoadedRecipe ReadOriginal(string runFolder)
    {
        try { return RunFolderRecipe.Load(runFolder); }
        catch (BadInputException e)
        {
            throw new BadInputException([
                $"--resume: the run's own {Path.Combine(runFolder, RunFolder.RecipeFile)} cannot be read, " +
                "so the run cannot be checked and continued:",
                .. e.Problems]);
        }
    }
}
