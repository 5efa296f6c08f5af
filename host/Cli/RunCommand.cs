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
using PeftQa.Host.Planning;

namespace PeftQa.Host.Cli;

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
    SelectionRunner selectionRunner,
    TrainingProgressDisplay progress,
    IOptions<PeftQaSettings> settings,
    CliConsole console,
    ILogger<RunCommand> logger)
{
    public Task<int> ExecuteAsync(RunRequest request, CancellationToken cancellation)
    {
        if (request.Resume && request.Overwrite) throw new BadInputException("--resume and --overwrite contradict each other: choose one");
        if (request.Overwrite && request.RunFolder is null) throw new BadInputException("--overwrite needs --out: without it every run gets a new folder");
        var prepared = Prepare(request, cancellation);
        if (request.DryRun)
        {
            logger.LogInformation("Dry run: {Recipe} is valid ({Studies} studies{Candidates} x {Tasks} tasks; model files and data read and checked); nothing was trained",
                prepared.Loaded.DisplayPath, prepared.Plan.Studies.Count,
                prepared.Plan.NeedsSelection ? $" after {prepared.Plan.Candidates.Count} selection candidates" : "", prepared.Plan.Tasks.Count);
            return Task.FromResult(PeftQaCommandLine.Success);
        }
        using var runFolder = OpenRunFolder(request, prepared);
        runLog.Open(runFolder.Path);
        if (runFolder.MovedAsideTo is { } aside) logger.LogWarning("--overwrite: the folder's earlier contents were moved to {Aside}", aside);
        logger.LogInformation("Run folder {RunFolder}{Resume}", runFolder.Path, request.Resume ? " (resuming)" : "");

        RunStudies(prepared.Plan, StudyContextFor(prepared, runFolder.Path, request.Resume, cancellation), cancellation);
        return Task.FromResult(PeftQaCommandLine.Success);
    }

    /// <summary>What a run needs, every check done: the recipe, plugins, plan, device, tokenizer and each task's data in windows.</summary>
    private sealed record PreparedRun(RecipeLoader.LoadedRecipe Loaded, PluginCatalog Plugins, RunPlan Plan, TorchSharp.torch.Device Device,
        BertTokenizer Tokenizer, IReadOnlyList<TaskData> Tasks);

    /// <summary>Every check a dry run and a real run make, in the same order, before a run folder is touched.</summary>
    private PreparedRun Prepare(RunRequest request, CancellationToken cancellation)
    {
        var loaded = RecipeLoader.Load(request.RecipePath);
        var recipeFolders = loaded.Recipe.Plugins.Select(folder => Path.GetFullPath(folder, loaded.Directory));
        var plugins = pluginLoader.Load(PluginRoots.For(settings.Value.PluginFolders, recipeFolders));
        var device = torch.Device;
        var plan = RunPlanner.Plan(loaded, plugins, settings.Value.DataRoot is { } root ? Path.GetFullPath(root) : null);
        PlanReport.Print(plan, console);
        var tokenizer = new BertTokenizer(ModelSources.VocabularyPath(loaded.Recipe.Model, loaded.Directory, logger));
        var tasks = TaskDataLoader.Load(plan, tokenizer, logger, cancellation);
        cancellation.ThrowIfCancellationRequested();
        var estimate = RunCostEstimate.Of(plan, tasks, device);
        if (estimate.Studies >= RunCostEstimate.ManyStudies)
            logger.LogWarning("This run trains {Studies} studies (a search's candidates and every seed count): {Estimate}. Shrink the search lists or seeds if that is more than you meant",
                estimate.Studies, estimate);
        else logger.LogInformation("Estimated cost: {Estimate}", estimate);
        return new PreparedRun(loaded, plugins, plan, device, tokenizer, tasks);
    }

    /// <summary>
    /// Locks the run folder; a new run pins its inputs (first, so a folder with a recipe.json always has them) and its
    /// effective recipe, a resumed run is checked against them and changes neither.
    /// </summary>
    private RunFolder OpenRunFolder(RunRequest request, PreparedRun prepared)
    {
        var inputs = RunInputs.Describe(prepared.Plan, prepared.Loaded.Directory);
        var runFolder = RunFolder.Open(ChooseRunFolder(request, prepared.Loaded.Recipe), ModeOf(request));
        try
        {
            if (request.Resume)
            {
                foreach (var note in ResumeCheck.Verify(runFolder.Path, prepared.Plan, inputs, prepared.Plugins))
                    logger.LogInformation("Resume check: {Note}", note);
                return runFolder;
            }
            RunInputs.Write(runFolder.Path, inputs);
            AtomicFile.WriteAllText(Path.Combine(runFolder.Path, RunFolder.RecipeFile), prepared.Plan.EffectiveRecipe.ToJsonString(JsonShapeValidator.SerializerOptions));
            return runFolder;
        }
        catch
        {
            runFolder.Dispose();
            throw;
        }
    }

    /// <summary>What every study shares, with the baseline before training measured once for the run (or read back when resuming).</summary>
    private StudyContext StudyContextFor(PreparedRun prepared, string runFolder, bool resume, CancellationToken cancellation)
    {
        var recipe = prepared.Plan.Recipe;
        var baseline = BaselineMeasurement.MeasureOrLoad(runFolder, resume, recipe.Model, prepared.Loaded.Directory, recipe.Seed, prepared.Tasks,
            prepared.Plan.Metrics, recipe.Evaluation, prepared.Tokenizer, prepared.Device, logger, cancellation);
        return new StudyContext(runFolder, prepared.Loaded.Directory, resume, recipe.Model, prepared.Device, prepared.Tokenizer, prepared.Tasks,
            prepared.Plan.Metrics, recipe.Evaluation, baseline, MetricsLogFor(runFolder, recipe.Training), progress);
    }

    private static MetricsLog MetricsLogFor(string runFolder, TrainingSettings training) =>
        new(Path.Combine(runFolder, "metrics.jsonl"),
            training.ReportTo.Contains("tensorboard") ? new TensorBoardLog(Path.Combine(runFolder, TensorBoardLog.FolderName)) : null);

    private static RunFolderMode ModeOf(RunRequest request) =>
        request.Resume ? RunFolderMode.Resume : request.Overwrite ? RunFolderMode.Overwrite : RunFolderMode.New;

    private void RunStudies(RunPlan plan, StudyContext context, CancellationToken cancellation)
    {
        if (plan.NeedsSelection) plan = plan.WithChosen(Select(plan, context, cancellation));
        var results = new List<StudyResult>();
        var statistics = new StudyStatistics(plan.Metrics, plan.Recipe.Seed, plan.Recipe.Compare.Resamples, plan.Reference);
        foreach (var study in plan.Studies)
        {
            var result = studyRunner.Run(study, context, cancellation);
            results.Add(result);
            context.MetricsLog.TensorBoard?.Continual(result.Label, result.Tasks.Count,
                ContinualSummary.Compute(result, plan.ContinualMetrics, ContinualSummary.ReportedScores)
                    .SelectMany(c => c.Metrics.Where(m => m.Value.Value is not null).Select(m => (c.Score, m.Key, m.Value.Value!.Value))));
            RunReport.Write(context.RunFolder, plan, results, statistics);
            ContinualReport.Write(context.RunFolder, plan, results, statistics);
        }
        RunReport.Print(plan, results, statistics, console);
        if (results.Count > 1)
        {
            ComparisonReport.Write(context.RunFolder, ComparisonReport.Rows(results, statistics), $"{plan.Recipe.Name}: strategy comparison",
                LearningCurve.Read(context.MetricsLog.Path), SeedSummary.Of(results, plan.Metrics.Select(m => m.Name)));
            logger.LogInformation("Comparison: {Markdown}", Path.Combine(context.RunFolder, "compare.md"));
        }
        logger.LogInformation("Report: {Report}", Path.Combine(context.RunFolder, "report.md"));
        logger.LogInformation("Results: {Results}", Path.Combine(context.RunFolder, "results.json"));
    }

    /// <summary>Each searched method's winner, chosen on the validation sets in the run folder's <c>selection/</c>.</summary>
    private IReadOnlyDictionary<string, StudyPlan> Select(RunPlan plan, StudyContext context, CancellationToken cancellation)
    {
        var folder = Path.Combine(context.RunFolder, SelectionRunner.FolderName);
        var selectionContext = selectionRunner.ContextFor(context, plan.Recipe.Seed, MetricsLogFor(folder, plan.Recipe.Training), cancellation);
        return selectionRunner.Choose(plan.Studies, plan.Recipe.Selection!, selectionContext, cancellation);
    }

    /// <summary>--out; else a new timestamped folder; else, resuming, the newest run of this recipe under its output folder.</summary>
    private static string ChooseRunFolder(RunRequest request, Recipe recipe)
    {
        if (request.RunFolder is { } explicitFolder) return explicitFolder;
        if (!request.Resume) return Path.Combine(recipe.Output, $"{recipe.Name}-{DateTime.Now:yyyyMMdd-HHmmss}");
        var ownName = new System.Text.RegularExpressions.Regex($"^{System.Text.RegularExpressions.Regex.Escape(recipe.Name)}-[0-9]{{8}}-[0-9]{{6}}$");
        var previous = Directory.Exists(recipe.Output)
            ? Directory.GetDirectories(recipe.Output).Where(d => ownName.IsMatch(Path.GetFileName(d)) && File.Exists(Path.Combine(d, RunFolder.RecipeFile)))
                .Order(StringComparer.Ordinal).LastOrDefault()
            : null;
        return previous ?? throw new BadInputException($"--resume: no earlier run of '{recipe.Name}' under {Path.GetFullPath(recipe.Output)}; run it without --resume first");
    }
}
