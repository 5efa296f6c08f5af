using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Reporting;
using PeftQa.Host.Continual;
using PeftQa.Host.Data;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Host.Training;

namespace PeftQa.Host.Cli;

/// <param name="RunFolder">--out: the exact run folder, else a new one under the recipe's output folder.</param>
/// <param name="Resume">Continue the newest run of this recipe (or --out) from its last checkpoint.</param>
public sealed record RunRequest(string RecipePath, bool DryRun, string? RunFolder, bool Resume = false);

/// <summary>
/// <c>peftqa run</c>: read and check the recipe, load plugins, check every study's options, data and the device,
/// all before any work; then create the run folder with its log, prepare each task's data once, and run the studies.
/// </summary>
public sealed class RunCommand(
    PluginLoader pluginLoader,
    TorchRuntime torch,
    RunLogSink runLog,
    StudyRunner studyRunner,
    TrainingProgressDisplay progress,
    IOptions<PeftQaSettings> settings,
    CliConsole console,
    ILogger<RunCommand> logger)
{
    public Task<int> ExecuteAsync(RunRequest request, CancellationToken cancellation)
    {
        var loaded = RecipeLoader.Load(request.RecipePath);
        var recipeFolders = loaded.Recipe.Plugins.Select(folder => Path.GetFullPath(folder, loaded.Directory));
        var plugins = pluginLoader.Load(PluginRoots.For(settings.Value.PluginFolders, recipeFolders));
        // The device first: planning attaches adapters to a small probe model, which needs libtorch ready.
        var device = torch.Device;
        var plan = RunPlanner.Plan(loaded, plugins, settings.Value.DataRoot is { } root ? Path.GetFullPath(root) : null);
        cancellation.ThrowIfCancellationRequested();

        PlanReport.Print(plan, console);
        if (request.DryRun)
        {
            logger.LogInformation("Dry run: {Recipe} is valid ({Studies} studies x {Tasks} tasks); nothing was trained",
                loaded.DisplayPath, plan.Studies.Count, loaded.Recipe.Tasks.Count);
            return Task.FromResult(PeftQaCommandLine.Success);
        }

        var runFolder = ChooseRunFolder(request, loaded.Recipe);
        Directory.CreateDirectory(runFolder);
        runLog.Open(runFolder);
        File.WriteAllText(Path.Combine(runFolder, "recipe.json"), JsonSerializer.Serialize(loaded.Recipe, JsonShapeValidator.SerializerOptions));
        logger.LogInformation("Run folder {RunFolder}{Resume}", Path.GetFullPath(runFolder), request.Resume ? " (resuming)" : "");

        var tokenizer = new BertTokenizer(ModelSources.VocabularyPath(loaded.Recipe.Model, loaded.Directory, logger));
        var tasks = TaskDataLoader.Load(plan, tokenizer, logger, cancellation);
        var context = new StudyContext(runFolder, loaded.Directory, request.Resume, device, tokenizer, tasks,
            new MetricsLog(Path.Combine(runFolder, "metrics.jsonl")), progress);

        var results = new List<StudyResult>();
        foreach (var study in plan.Studies)
        {
            results.Add(studyRunner.Run(plan, study, context, cancellation));
            RunReport.Write(runFolder, plan, results);
            ContinualReport.Write(runFolder, plan, results);
        }
        RunReport.Print(plan, results, console);
        if (results.Count > 1)
        {
            ComparisonReport.Write(runFolder, results.Select(ComparisonReport.Row).ToList(), $"{plan.Recipe.Name}: strategy comparison");
            logger.LogInformation("Comparison: {Markdown}", Path.GetFullPath(Path.Combine(runFolder, "compare.md")));
        }
        logger.LogInformation("Report: {Report}", Path.GetFullPath(Path.Combine(runFolder, "report.md")));
        logger.LogInformation("Results: {Results}", Path.GetFullPath(Path.Combine(runFolder, "results.json")));
        return Task.FromResult(PeftQaCommandLine.Success);
    }

    private static string ChooseRunFolder(RunRequest request, Recipe recipe)
    {
        if (request.RunFolder is { } explicitFolder)
        {
            if (request.Resume && !Directory.Exists(explicitFolder)) throw new BadInputException($"--resume: run folder {explicitFolder} does not exist");
            return explicitFolder;
        }
        if (!request.Resume) return Path.Combine(recipe.Output, $"{recipe.Name}-{DateTime.Now:yyyyMMdd-HHmmss}");
        var previous = Directory.Exists(recipe.Output)
            ? Directory.GetDirectories(recipe.Output, recipe.Name + "-*").Where(d => File.Exists(Path.Combine(d, "recipe.json"))).Order(StringComparer.Ordinal).LastOrDefault()
            : null;
        return previous ?? throw new BadInputException($"--resume: no earlier run of '{recipe.Name}' under {Path.GetFullPath(recipe.Output)}; run it without --resume first");
    }
}
