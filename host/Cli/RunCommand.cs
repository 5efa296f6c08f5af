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
using PeftQa.Host.Runs;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Cli;

/// <param name="RunFolder">--out: the exact run folder, else a new one under the recipe's output folder.</param>
/// <param name="Resume">Continue the newest run of this recipe (or --out) from its last checkpoint.</param>
/// <param name="Overwrite">Start a new run in --out even if it holds one, moving the old contents aside first.</param>
public sealed record RunRequest(string RecipePath, bool DryRun, string? RunFolder, bool Resume = false, bool Overwrite = false);

/// <summary>
/// <c>peftqa run</c>: read and check the recipe, load plugins, check every study's options, the model's files, the data
/// (read and turned into windows) and the device, all before any work and before the run folder is touched; then
/// lock the run folder, check a resume against the run's own recipe and inputs, and run the studies.
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
        if (request.Resume && request.Overwrite) throw new BadInputException("--resume and --overwrite contradict each other: choose one");
        var loaded = RecipeLoader.Load(request.RecipePath);
        var recipeFolders = loaded.Recipe.Plugins.Select(folder => Path.GetFullPath(folder, loaded.Directory));
        var plugins = pluginLoader.Load(PluginRoots.For(settings.Value.PluginFolders, recipeFolders));
        // The device first: planning attaches adapters to a probe model, which needs libtorch ready.
        var device = torch.Device;
        var plan = RunPlanner.Plan(loaded, plugins, settings.Value.DataRoot is { } root ? Path.GetFullPath(root) : null);
        PlanReport.Print(plan, console);
        var tokenizer = new BertTokenizer(ModelSources.VocabularyPath(loaded.Recipe.Model, loaded.Directory, logger));
        var tasks = TaskDataLoader.Load(plan, tokenizer, logger, cancellation);
        cancellation.ThrowIfCancellationRequested();
        if (request.DryRun)
        {
            logger.LogInformation("Dry run: {Recipe} is valid ({Studies} studies x {Tasks} tasks; model files and data read and checked); nothing was trained",
                loaded.DisplayPath, plan.Studies.Count, loaded.Recipe.Tasks.Count);
            return Task.FromResult(PeftQaCommandLine.Success);
        }

        var inputs = RunInputs.Describe(plan, loaded.Directory);
        using var runFolder = OpenRunFolder(request, loaded.Recipe);
        if (request.Resume)
        {
            foreach (var change in ResumeCheck.Verify(runFolder.Path, plan, inputs, plugins))
                logger.LogInformation("Resuming with a changed setting that does not alter results: {Change}", change);
        }
        else
        {
            AtomicFile.WriteAllText(Path.Combine(runFolder.Path, RunFolder.RecipeFile), plan.EffectiveRecipe.ToJsonString(JsonShapeValidator.SerializerOptions));
            RunInputs.Write(runFolder.Path, inputs);
        }
        runLog.Open(runFolder.Path);
        if (runFolder.MovedAsideTo is { } aside) logger.LogWarning("--overwrite: the folder's earlier contents were moved to {Aside}", aside);
        logger.LogInformation("Run folder {RunFolder}{Resume}", runFolder.Path, request.Resume ? " (resuming)" : "");

        var context = new StudyContext(runFolder.Path, loaded.Directory, request.Resume, device, tokenizer, tasks,
            new MetricsLog(Path.Combine(runFolder.Path, "metrics.jsonl")), progress);
        RunStudies(plan, context, cancellation);
        return Task.FromResult(PeftQaCommandLine.Success);
    }

    private void RunStudies(RunPlan plan, StudyContext context, CancellationToken cancellation)
    {
        var results = new List<StudyResult>();
        foreach (var study in plan.Studies)
        {
            results.Add(studyRunner.Run(plan, study, context, cancellation));
            RunReport.Write(context.RunFolder, plan, results);
            ContinualReport.Write(context.RunFolder, plan, results);
        }
        RunReport.Print(plan, results, console);
        if (results.Count > 1)
        {
            ComparisonReport.Write(context.RunFolder, results.Select(ComparisonReport.Row).ToList(), $"{plan.Recipe.Name}: strategy comparison");
            logger.LogInformation("Comparison: {Markdown}", Path.Combine(context.RunFolder, "compare.md"));
        }
        logger.LogInformation("Report: {Report}", Path.Combine(context.RunFolder, "report.md"));
        logger.LogInformation("Results: {Results}", Path.Combine(context.RunFolder, "results.json"));
    }

    private static RunFolder OpenRunFolder(RunRequest request, Recipe recipe)
    {
        var mode = request.Resume ? RunFolderMode.Resume : request.Overwrite ? RunFolderMode.Overwrite : RunFolderMode.New;
        if (request.RunFolder is { } explicitFolder) return RunFolder.Open(explicitFolder, mode);
        if (!request.Resume) return RunFolder.Open(Path.Combine(recipe.Output, $"{recipe.Name}-{DateTime.Now:yyyyMMdd-HHmmss}"), mode);
        var previous = Directory.Exists(recipe.Output)
            ? Directory.GetDirectories(recipe.Output, recipe.Name + "-*").Where(d => File.Exists(Path.Combine(d, RunFolder.RecipeFile))).Order(StringComparer.Ordinal).LastOrDefault()
            : null;
        return RunFolder.Open(previous ?? throw new BadInputException($"--resume: no earlier run of '{recipe.Name}' under {Path.GetFullPath(recipe.Output)}; run it without --resume first"), mode);
    }
}
