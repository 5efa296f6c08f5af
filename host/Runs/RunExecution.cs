using Microsoft.Extensions.Logging;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Planning;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Reporting;
using PeftQa.Host.Studies;

namespace PeftQa.Host.Runs;

/// <summary>
/// <c>peftqa run</c>'s one entry point: read and check the recipe, load plugins, check every study's options, the
/// model's files, the data (read and turned into windows) and the device, all before any work and before the run
/// folder is touched; then a dry run stops, <c>--stage baseline</c> prepares the folder for its shards, a shard or
/// <c>--study</c> runs its part, and a whole run locks its folder, checks a resume and runs every study.
/// </summary>
public sealed class RunExecution(
    PluginLoader pluginLoader,
    ExtraPluginFolders pluginFolders,
    TorchRuntime torch,
    RunLogSink runLog,
    StudyTraining studies,
    CliConsole console,
    ILogger<RunExecution> logger)
{
    internal ILogger Logger => logger;
    internal RunLogSink RunLog => runLog;
    internal StudyTraining Studies => studies;

    /// <exception cref="BadInputException">Anything wrong with the request, the recipe, its data or the run folder.</exception>
    public void Execute(RunRequest request, CancellationToken cancellation)
    {
        request.Check();
        var shard = request.Shard is { } text ? Shard.Parse(text, Environment.GetEnvironmentVariable) : null;
        var prepared = Prepare(request, cancellation);
        var part = request.IsPart ? PartOfRun.Of(request, shard, prepared.Plan) : null;
        if (request.DryRun) DryRun(request, prepared, part);
        else if (request.BaselineStage) PrepareForShards(request, prepared, cancellation);
        else if (part is not null) new ShardExecution(this, request, prepared, part).Run(cancellation);
        else RunWhole(request, prepared, cancellation);
    }

    private void DryRun(RunRequest request, PreparedRun prepared, PartOfRun? part)
    {
        CheckRunFolder(request, prepared);
        var plan = prepared.Plan;
        logger.LogInformation(
            "Dry run: {Recipe} is valid ({Studies} studies{Candidates} x {Tasks} tasks; model files and data read and checked); nothing was trained",
            prepared.Loaded.DisplayPath, plan.Studies.Count,
            plan.NeedsSelection ? $" after {plan.Candidates.Count} selection candidates" : "", plan.Tasks.Count);
        if (part is not null)
            logger.LogInformation("{Part} would run {Count} of them: {Studies}", part.Name, part.Indices.Count,
                string.Join(", ", part.Indices.Select(i => plan.Studies[i].Label)));
    }

    private void PrepareForShards(RunRequest request, PreparedRun prepared, CancellationToken cancellation)
    {
        PrepareRunFolder(request, prepared, cancellation);
        logger.LogInformation(
            "Run folder {RunFolder} is prepared (baseline{Selection}); its shards can run: peftqa run {Recipe} --out {RunFolder} --shard K/N",
            Path.GetFullPath(request.RunFolder!), prepared.Plan.NeedsSelection ? " and selection" : "", prepared.Loaded.DisplayPath,
            request.RunFolder);
    }

    /// <summary>A whole run: every study, with the reports rewritten after each, then printed.</summary>
    private void RunWhole(RunRequest request, PreparedRun prepared, CancellationToken cancellation)
    {
        var folder = RunFolderChoice.For(request, prepared.Loaded.Recipe);
        using var runFolder = request.RunFolder is null && !request.Resume
            ? OpenNewTimestampedFolder(prepared, folder, request)
            : OpenRunFolder(prepared, folder, request.Mode, request);
        runLog.Open(runFolder.Path);
        if (runFolder.MovedAsideTo is { } aside) logger.LogWarning("--overwrite: the folder's earlier contents were moved to {Aside}", aside);
        logger.LogInformation("Run folder {RunFolder}{Resume}", runFolder.Path, request.Resume ? " (resuming)" : "");

        var context = studies.ContextFor(prepared, runFolder.Path, request.Resume, cancellation);
        var plan = Decided(prepared.Plan, context, cancellation);
        var results = new List<StudyResult>();
        var statistics = StudyStatistics.For(plan);
        studies.Train(plan, plan.Studies, context, result =>
        {
            results.Add(result);
            RunReportWriter.Write(context.RunFolder, plan, results, statistics);
        }, cancellation);
        ResultsTable.Print(plan, results, statistics, console);
        if (results.Count > 1) logger.LogInformation("Comparison: {Markdown}", Path.Combine(context.RunFolder, RunFolderFiles.CompareMarkdownFile));
        logger.LogInformation("Report: {Report}", Path.Combine(context.RunFolder, RunFolderFiles.ReportFile));
        logger.LogInformation("Results: {Results}", Path.Combine(context.RunFolder, RunFolderFiles.ResultsFile));
    }

    /// <summary>Every check a dry run and a real run make, in the same order, before a run folder is touched.</summary>
    private PreparedRun Prepare(RunRequest request, CancellationToken cancellation)
    {
        var overrides = request.Overrides;
        var loaded = RecipeLoader.Load(request.RecipePath);
        var plugins = pluginLoader.Load(PluginRoots.For(pluginFolders.Folders, loaded));
        var device = torch.Device;
        var pinned = PinnedPrecision(request, overrides.ApplyTo(loaded.Recipe));
        var plan = RunPlanner.Plan(loaded, plugins, overrides, torch.Bf16, pinned, torch.Fp32Route);
        PlanReport.Print(plan, console);
        torch.Apply(plan.Precision);
        var tokenizer = new BertTokenizer(ModelSources.VocabularyPath(loaded.Recipe.Model, loaded.Directory, logger));
        var tasks = TaskDataLoader.Load(plan, tokenizer, logger, cancellation);
        cancellation.ThrowIfCancellationRequested();
        HalvingBudgetCheck.Check(plan, tasks);
        PlanReport.PrintTrainingSets(plan, tasks, console);
        LogCost(RunCostEstimate.Of(plan, tasks, device));
        return new PreparedRun(loaded with { Recipe = plan.Recipe }, plugins, plan, device, tokenizer, tasks);
    }

    private void LogCost(RunCostEstimate estimate)
    {
        if (estimate.Studies >= RunCostEstimate.ManyStudies)
            logger.LogWarning(
                "This run trains {Studies} studies (a search's candidates and every seed count): {Estimate}. " +
                "Shrink the search lists or seeds if that is more than you meant", estimate.Studies, estimate);
        else logger.LogInformation("Estimated cost: {Estimate}", estimate);
    }

    /// <summary>
    /// The precision recorded by the run folder this command continues (a resume, a shard, --study, a second
    /// preparation), so <c>auto</c> is not resolved again on a host that may answer otherwise; null for a new run.
    /// </summary>
    private static ComputePrecision? PinnedPrecision(RunRequest request, Recipe recipe)
    {
        if (request.Overwrite || !(request.Resume || request.IsPart || request.BaselineStage)) return null;
        var folder = request.RunFolder ?? RunFolderChoice.TryFor(request, recipe);
        return folder is not null && Directory.Exists(folder) ? RunFolderPrecision.Read(folder) : null;
    }

    /// <summary>
    /// A process that planned before another pinned the folder's precision (a shard that waited for the preparation):
    /// from here on it uses the pinned one.
    /// </summary>
    internal PreparedRun WithPrecisionPinnedBy(string runFolder, PreparedRun prepared)
    {
        if (RunFolderPrecision.Read(runFolder) is not { } pinned || pinned.Requested != prepared.Plan.Precision.Requested
            || pinned.Used == prepared.Plan.Precision.Used) return prepared;
        var plan = prepared.Plan with { Precision = torch.Precision(pinned.Requested, pinned) };
        return prepared with { Plan = plan };
    }

    /// <summary>The dry run's check of the folder the real command would use: the same refusals, nothing created.</summary>
    private void CheckRunFolder(RunRequest request, PreparedRun prepared)
    {
        var folder = request.RunFolder ?? RunFolderChoice.For(request, prepared.Loaded.Recipe);
        bool started = File.Exists(Path.Combine(folder, RunFolder.RecipeFile));
        var mode = request.Overwrite ? RunFolderMode.Overwrite
            : request.IsPart || request.BaselineStage ? (started ? RunFolderMode.Resume : RunFolderMode.New)
            : request.Mode;
        var setByOptions = request.Overrides.SetByOptions;
        foreach (var note in RunStart.Check(folder, mode, prepared.Plan, prepared.Loaded.Directory, prepared.Plugins, setByOptions))
            logger.LogInformation("Resume check: {Note}", note);
    }

    /// <summary>
    /// A new run without --out: its timestamped folder, or, when another run of the recipe started in the same second
    /// and holds it, the first free <c>&lt;folder&gt;-2</c>, <c>-3</c>, ...
    /// </summary>
    private RunFolder OpenNewTimestampedFolder(PreparedRun prepared, string folder, RunRequest request)
    {
        for (int attempt = 1; ; attempt++)
        {
            var candidate = attempt == 1 ? folder : $"{folder}-{attempt}";
            try { return OpenRunFolder(prepared, candidate, RunFolderMode.New, request); }
            catch (BadInputException) when (attempt < 100 && Directory.Exists(candidate) && Directory.EnumerateFileSystemEntries(candidate).Any())
            {
                // Taken by a run that started in the same second: the next name.
            }
        }
    }

    internal RunFolder OpenRunFolder(PreparedRun prepared, string folder, RunFolderMode mode, RunRequest request) =>
        RunStart.Open(folder, mode, prepared.Plan, prepared.Loaded.Directory, prepared.Plugins, logger,
            request.Overrides.SetByOptions);

    /// <summary>
    /// Prepares a run folder for its shards (<c>--stage baseline</c>, or the first shard to lock it): a new run pins its
    /// recipe and inputs, an existing one of the same recipe is checked against them; then the baseline and any
    /// selection are decided, once.
    /// </summary>
    internal void PrepareRunFolder(RunRequest request, PreparedRun prepared, CancellationToken cancellation)
    {
        var folder = request.RunFolder!;
        var mode = request.Overwrite ? RunFolderMode.Overwrite
            : File.Exists(Path.Combine(folder, RunFolder.RecipeFile)) ? RunFolderMode.Resume : RunFolderMode.New;
        using var runFolder = OpenRunFolder(prepared, folder, mode, request);
        prepared = WithPrecisionPinnedBy(runFolder.Path, prepared);
        if (RunPreparation.IsDone(runFolder.Path) && mode == RunFolderMode.Resume)
        {
            logger.LogInformation("Run folder {RunFolder} was already prepared", runFolder.Path);
            return;
        }
        runLog.Open(runFolder.Path, Path.Combine("logs", "baseline.json"));
        if (runFolder.MovedAsideTo is { } aside) logger.LogWarning("--overwrite: the folder's earlier contents were moved to {Aside}", aside);
        Decided(prepared.Plan, studies.ContextFor(prepared, runFolder.Path, resume: true, cancellation), cancellation);
    }

    /// <summary>
    /// The plan with nothing left open: each searched method's choice read from <c>prepared.json</c>, or made now on
    /// validation data and recorded there, after the baseline (already in <paramref name="context"/>).
    /// </summary>
    private RunPlan Decided(RunPlan plan, StudyContext context, CancellationToken cancellation)
    {
        if (RunPreparation.IsDone(context.RunFolder)) return RunPreparation.Apply(context.RunFolder, plan);
        var chosen = plan.NeedsSelection ? studies.Select(plan, context, cancellation) : new Dictionary<string, StudyPlan>();
        RunPreparation.Write(context.RunFolder, chosen);
        return plan.NeedsSelection ? plan.WithChosen(chosen) : plan;
    }
}
