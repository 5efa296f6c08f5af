using PeftQa.Host.Studies;
using PeftQa.Host.Planning;
using PeftQa.Host.Plugins;

namespace PeftQa.Host.Runs;

/// <summary>
/// The plan of the run a folder holds, rebuilt from its own recipe (<see cref="RunFolderRecipe"/>) with the plugins it
/// names, with each searched method's choice once the folder is prepared: what <c>peftqa report</c> and
/// <c>peftqa status</c> read the studies' folders by.
/// </summary>
public sealed record RunFolderPlan(string RunFolder, RunPlan Plan, bool Prepared)
{
    /// <exception cref="Foundation.BadInputException">Not a run folder, or its recipe no longer plans (a plugin or data file gone).</exception>
    public static RunFolderPlan Load(string runFolder, PluginLoader pluginLoader, IReadOnlyList<string> pluginFolders, string? dataRoot)
    {
        var path = Path.GetFullPath(runFolder);
        var loaded = RunFolderRecipe.Load(path);
        var plugins = pluginLoader.Load(PluginRoots.For(pluginFolders, loaded));
        var plan = RunPlanner.Plan(loaded, plugins, new RunOverrides(DataRoot: dataRoot), pinned: RunFolderPrecision.Read(path));
        bool prepared = RunPreparation.IsDone(path);
        return new RunFolderPlan(path, prepared ? RunPreparation.Apply(path, plan) : plan, prepared);
    }

    /// <summary>Whether the run's baseline is measured (a preparation under way or stopped has got that far).</summary>
    public bool BaselineMeasured => File.Exists(Path.Combine(RunFolder, BaselineMeasurement.File));

    /// <summary>Each study's state, in plan order.</summary>
    public IReadOnlyList<StudyProgress> Progress() => Plan.Studies.Select(s => StudyProgress.Of(RunFolder, s.Label)).ToList();

    /// <summary>The finished studies' results, in plan order.</summary>
    public IReadOnlyList<StudyResult> Results() =>
        Plan.Studies.Select(s => StudyFolder.LoadResult(RunFolder, s.Label)).OfType<StudyResult>().ToList();
}
