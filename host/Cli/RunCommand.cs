using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Reporting;
using PeftQa.Host.Training;

namespace PeftQa.Host.Cli;

/// <param name="RunFolder">--out: the exact run folder, else a new one under the recipe's output folder.</param>
public sealed record RunRequest(string RecipePath, bool DryRun, string? RunFolder);

/// <summary>
/// <c>peftqa run</c>: read and check the recipe, load plugins, check every study's options, data and the device,
/// all before any work; then create the run folder with its log and run the studies.
/// </summary>
public sealed class RunCommand(
    PluginLoader pluginLoader,
    TorchRuntime torch,
    RunLogSink runLog,
    IOptions<PeftQaSettings> settings,
    CliConsole console,
    ILogger<RunCommand> logger)
{
    public Task<int> ExecuteAsync(RunRequest request, CancellationToken cancellation)
    {
        var loaded = RecipeLoader.Load(request.RecipePath);
        var recipeFolders = loaded.Recipe.Plugins.Select(folder => Path.GetFullPath(folder, loaded.Directory));
        var plugins = pluginLoader.Load(PluginRoots.For(settings.Value.PluginFolders, recipeFolders));
        var plan = RunPlanner.Plan(loaded, plugins, settings.Value.DataRoot is { } root ? Path.GetFullPath(root) : null);
        _ = torch.Device;
        cancellation.ThrowIfCancellationRequested();

        PlanReport.Print(plan, console);
        if (request.DryRun)
        {
            logger.LogInformation("Dry run: {Recipe} is valid ({Studies} studies x {Tasks} tasks); nothing was trained",
                loaded.DisplayPath, plan.Studies.Count, loaded.Recipe.Tasks.Count);
            return Task.FromResult(PeftQaCommandLine.Success);
        }

        var runFolder = request.RunFolder ?? Path.Combine(loaded.Recipe.Output, $"{loaded.Recipe.Name}-{DateTime.Now:yyyyMMdd-HHmmss}");
        Directory.CreateDirectory(runFolder);
        runLog.Open(runFolder);
        File.WriteAllText(Path.Combine(runFolder, "recipe.json"),
            JsonSerializer.Serialize(loaded.Recipe, JsonShapeValidator.SerializerOptions));
        logger.LogInformation("Run folder {RunFolder}", Path.GetFullPath(runFolder));

        logger.LogError("Training is not available in this build yet: the recipe, plugins, data and device were checked, " +
                        "but no study can run. Use --dry-run to check recipes.");
        return Task.FromResult(PeftQaCommandLine.WorkFailed);
    }
}
