using Microsoft.Extensions.Logging;
using PeftQa.Host.Foundation;
using PeftQa.Host.Planning;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Runs;

/// <summary>
/// Opens a run folder for a planned run: a new run pins its inputs (first, so a folder with a recipe.json always has
/// them) and its effective recipe; a resumed run, or a shard joining one, is checked against them and changes neither.
/// </summary>
public static class RunStart
{
    /// <exception cref="BadInputException">The folder is in use, does not suit <paramref name="mode"/>, or holds another recipe's run.</exception>
    public static RunFolder Open(string folder, RunFolderMode mode, RunPlan plan, string recipeDirectory, PluginCatalog plugins, ILogger logger)
    {
        var inputs = RunInputs.Describe(plan, recipeDirectory);
        var runFolder = RunFolder.Open(folder, mode);
        try
        {
            if (mode is RunFolderMode.Resume or RunFolderMode.Shard)
            {
                foreach (var note in ResumeCheck.Verify(runFolder.Path, plan, inputs, plugins))
                    logger.LogInformation("Resume check: {Note}", note);
                return runFolder;
            }
            RunInputs.Write(runFolder.Path, inputs);
            AtomicFile.WriteAllText(Path.Combine(runFolder.Path, RunFolder.RecipeFile), plan.EffectiveRecipe.ToJsonString(JsonShapeValidator.SerializerOptions));
            return runFolder;
        }
        catch
        {
            runFolder.Dispose();
            throw;
        }
    }
}
