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
    /// <param name="setByOptions">Recipe fields command-line options replaced, by JSON path: how a refused resume names them.</param>
    /// <param name="pinPrecision">Whether this process decides the run's precision (<see cref="RunFolderPrecision"/>): not
    /// <c>peftqa submit</c>, whose host is not the one that computes; the run's preparation pins it there.</param>
    public static RunFolder Open(string folder, RunFolderMode mode, RunPlan plan, string recipeDirectory, PluginCatalog plugins, ILogger logger,
        IReadOnlyDictionary<string, string>? setByOptions = null, bool pinPrecision = true)
    {
        var inputs = RunInputs.Describe(plan, recipeDirectory);
        var runFolder = RunFolder.Open(folder, mode);
        try
        {
            if (mode is RunFolderMode.Resume or RunFolderMode.Shard)
            {
                foreach (var note in ResumeCheck.Verify(runFolder.Path, plan, inputs, plugins, setByOptions))
                    logger.LogInformation("Resume check: {Note}", note);
                if (pinPrecision && mode == RunFolderMode.Resume) PinPrecisionIfUnpinned(runFolder.Path, plan, logger); // under the exclusive lock
                return runFolder;
            }
            RunInputs.Write(runFolder.Path, inputs);
            if (pinPrecision) RunFolderPrecision.Write(runFolder.Path, plan.Precision);
            AtomicFile.WriteAllText(Path.Combine(runFolder.Path, RunFolder.RecipeFile),
                plan.EffectiveRecipe.ToJsonString(JsonShapeValidator.SerializerOptions));
            return runFolder;
        }
        catch
        {
            runFolder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Every refusal <see cref="Open"/> would make, without creating, locking or writing anything: what <c>--dry-run</c>
    /// checks of the folder (a used folder for a new run; a resume or a shard against the run's recipe and inputs).
    /// </summary>
    /// <returns>The changes a resume accepts, for the log.</returns>
    /// <exception cref="BadInputException">What the real command would refuse.</exception>
    public static IReadOnlyList<string> Check(string folder, RunFolderMode mode, RunPlan plan, string recipeDirectory, PluginCatalog plugins,
        IReadOnlyDictionary<string, string>? setByOptions = null)
    {
        var path = RunFolder.Check(folder, mode, refuseUsed: true);
        return mode is RunFolderMode.Resume or RunFolderMode.Shard
            ? ResumeCheck.Verify(path, plan, RunInputs.Describe(plan, recipeDirectory), plugins, setByOptions)
            : [];
    }

    /// <summary>
    /// A run folder made by <c>peftqa submit</c> (or by an earlier version) records no precision yet: pinned by the first
    /// process that computes in it, so every later one agrees.
    /// </summary>
    private static void PinPrecisionIfUnpinned(string runFolder, RunPlan plan, ILogger logger)
    {
        if (RunFolderPrecision.Read(runFolder) is not null) return;
        RunFolderPrecision.Write(runFolder, plan.Precision);
        logger.LogInformation("Precision pinned for the run in {RunFolder}: {Precision}", runFolder, plan.Precision);
    }
}
