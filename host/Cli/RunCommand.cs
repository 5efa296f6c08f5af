using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Reporting;
using PeftQa.Host.Studies;
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
        CheckOptions(request);
        var shard = request.Shard is { } text ? Shard.Parse(text, Environment.GetEnvironmentVariable) : null;
        var prepared = Prepare(request, cancellation);
        var part = request.IsPart ? PartOf(request, shard, prepared.Plan) : null;
        if (request.DryRun)
        {
            CheckRunFolder(request, prepared);
            logger.LogInformation("Dry run: {Recipe} is valid ({Studies} studies{Candidates} x {Tasks} tasks; model files and data read and checked); nothing was trained",
                prepared.Loaded.DisplayPath, prepared.Plan.Studies.Count,
                prepared.Plan.NeedsSelection ? $" after {prepared.Plan.Candidates.Count} selection candidates" : "", prepared.Plan.Tasks.Count);
            if (part is not null)
                logger.LogInformation("{Part} would run {Count} of them: {Studies}", part.Name, part.Indices.Count, string.Join(", ", part.Indices.Select(i => prepared.Plan.Studies[i].Label)));
            return Task.FromResult(PeftQaCommandLine.Success);
        }
        if (request.BaselineStage)
        {
            PrepareRunFolder(request, prepared, cancellation);
            logger.LogInformation("Run folder {RunFolder} is prepared (baseline{Selection}); its shards can run: peftqa run {Recipe} --out {RunFolder} --shard K/N",
                Path.GetFullPath(request.RunFolder!), prepared.Plan.NeedsSelection ? " and selection" : "", prepared.Loaded.DisplayPath, request.RunFolder);
            return Task.FromResult(PeftQaCommandLine.Success);
        }
        if (part is not null)
        {
            RunPart(request, prepared, part, cancellation);
            return Task.FromResult(PeftQaCommandLine.Success);
        }
        using var runFolder = request.RunFolder is null && !request.Resume
            ? OpenNewTimestampedFolder(prepared, ChooseRunFolder(request, prepared.Loaded.Recipe))
            : OpenRunFolder(prepared, ChooseRunFolder(request, prepared.Loaded.Recipe), ModeOf(request));
        runLog.Open(runFolder.Path);
        if (runFolder.MovedAsideTo is { } aside) logger.LogWarning("--overwrite: the folder's earlier contents were moved to {Aside}", aside);
        logger.LogInformation("Run folder {RunFolder}{Resume}", runFolder.Path, request.Resume ? " (resuming)" : "");

        var context = StudyContextFor(prepared, runFolder.Path, request.Resume, cancellation);
        RunStudies(Decided(prepared.Plan, context, cancellation), context, cancellation);
        return Task.FromResult(PeftQaCommandLine.Success);
    }

    /// <summary>
    /// A new run without --out: its timestamped folder, or, when another run of the recipe started in the same second
    /// and holds it, the first free <c>&lt;folder&gt;-2</c>, <c>-3</c>, ...
    /// </summary>
    private RunFolder OpenNewTimestampedFolder(PreparedRun prepared, string folder)
    {
        for (int attempt = 1; ; attempt++)
        {
            var candidate = attempt == 1 ? folder : $"{folder}-{attempt}";
            try { return OpenRunFolder(prepared, candidate, RunFolderMode.New); }
            catch (BadInputException) when (attempt < 100 && Directory.Exists(candidate) && Directory.EnumerateFileSystemEntries(candidate).Any())
            {
                // Taken by a run that started in the same second: the next name.
            }
        }
    }

    /// <summary>The dry run's check of the folder the real command would use: the same refusals, nothing created.</summary>
    private void CheckRunFolder(RunRequest request, PreparedRun prepared)
    {
        var folder = request.RunFolder ?? ChooseRunFolder(request, prepared.Loaded.Recipe);
        bool started = File.Exists(Path.Combine(folder, RunFolder.RecipeFile));
        var mode = request.Overwrite ? RunFolderMode.Overwrite
            : request.IsPart || request.BaselineStage ? (started ? RunFolderMode.Resume : RunFolderMode.New)
            : ModeOf(request);
        foreach (var note in RunStart.Check(folder, mode, prepared.Plan, prepared.Loaded.Directory, prepared.Plugins, SetByOptions))
            logger.LogInformation("Resume check: {Note}", note);
    }

    /// <summary>The studies one process of a sharded run takes: their indices in the plan, and a name for its log.</summary>
    private sealed record PartOfRun(string Name, IReadOnlyList<int> Indices);

    private static void CheckOptions(RunRequest request)
    {
        if (request.Resume && request.Overwrite) throw new BadInputException("--resume and --overwrite contradict each other: choose one");
        if (request.Overwrite && request.RunFolder is null) throw new BadInputException("--overwrite needs --out: without it every run gets a new folder");
        if (request.Shard is not null && request.Study is not null) throw new BadInputException("--shard and --study contradict each other: choose one");
        if (request.BaselineStage && request.IsPart) throw new BadInputException("--stage baseline prepares the run folder for every shard: give it without --shard or --study");
        string? partOption = request.Shard is not null ? "--shard" : request.Study is not null ? "--study" : request.BaselineStage ? "--stage" : null;
        if (partOption is not null && request.RunFolder is null)
            throw new BadInputException($"{partOption} needs --out: the processes of a sharded run share one run folder");
        if (request.IsPart && request.Overwrite)
            throw new BadInputException($"--overwrite cannot be given to {partOption}: the other shards use the folder; replace it once with --stage baseline --overwrite");
    }

    private static PartOfRun PartOf(RunRequest request, Shard? shard, RunPlan plan)
    {
        if (shard is not null)
        {
            shard.CheckAgainst(plan.Studies.Count);
            return new PartOfRun(shard.Name, Enumerable.Range(0, plan.Studies.Count).Where(i => i % shard.Count == shard.Index).ToList());
        }
        int index = plan.Studies.ToList().FindIndex(s => s.Label == request.Study);
        if (index < 0)
            throw new BadInputException($"--study {request.Study}: no such study; the plan's studies are {string.Join(", ", plan.Studies.Select(s => $"'{s.Label}'"))}");
        return new PartOfRun($"study-{FolderNames.For(request.Study!)}", [index]);
    }

    /// <summary>What a run needs, every check done: the recipe, plugins, plan, device, tokenizer and each task's data in windows.</summary>
    private sealed record PreparedRun(RecipeLoader.LoadedRecipe Loaded, PluginCatalog Plugins, RunPlan Plan, TorchSharp.torch.Device Device,
        BertTokenizer Tokenizer, IReadOnlyList<TaskData> Tasks);

    /// <summary>Every check a dry run and a real run make, in the same order, before a run folder is touched.</summary>
    private PreparedRun Prepare(RunRequest request, CancellationToken cancellation)
    {
        var loaded = WithPrecisionOption(RecipeLoader.Load(request.RecipePath));
        var plugins = pluginLoader.Load(PluginRoots.For(settings.Value.PluginFolders, loaded));
        var device = torch.Device;
        var plan = RunPlanner.Plan(loaded, plugins, settings.Value.DataRoot is { } root ? Path.GetFullPath(root) : null, torch.Bf16,
            PinnedPrecision(request, loaded.Recipe));
        PlanReport.Print(plan, console);
        torch.LogPrecision(plan.Precision);
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
    /// The precision recorded by the run folder this command continues (a resume, a shard, --study, a second
    /// preparation), so <c>auto</c> is not resolved again on a host that may answer otherwise; null for a new run.
    /// </summary>
    private static ComputePrecision? PinnedPrecision(RunRequest request, Recipe recipe)
    {
        if (request.Overwrite || !(request.Resume || request.IsPart || request.BaselineStage)) return null;
        var folder = request.RunFolder ?? TryChooseRunFolder(request, recipe);
        return folder is not null && Directory.Exists(folder) ? RunFolderPrecision.Read(folder) : null;
    }

    private static string? TryChooseRunFolder(RunRequest request, Recipe recipe)
    {
        try { return ChooseRunFolder(request, recipe); }
        catch (BadInputException) { return null; } // reported where the folder is opened
    }

    /// <summary>
    /// A process that planned before another pinned the folder's precision (a shard that waited for the preparation):
    /// from here on it uses the pinned one.
    /// </summary>
    private PreparedRun WithPrecisionPinnedBy(string runFolder, PreparedRun prepared)
    {
        if (RunFolderPrecision.Read(runFolder) is not { } pinned || pinned.Requested != prepared.Plan.Precision.Requested
            || pinned.Used == prepared.Plan.Precision.Used) return prepared;
        var plan = prepared.Plan with { Precision = pinned.PinnedOn(torch.Bf16) };
        torch.LogPrecision(plan.Precision);
        return prepared with { Plan = plan };
    }

    /// <summary>--precision replaces training.precision before planning, so the run folder's recipe.json records it and a resume must match it.</summary>
    private RecipeLoader.LoadedRecipe WithPrecisionOption(RecipeLoader.LoadedRecipe loaded) =>
        settings.Value.Precision is { } precision
            ? loaded with { Recipe = loaded.Recipe with { Training = loaded.Recipe.Training with { Precision = precision } } }
            : loaded;

    private RunFolder OpenRunFolder(PreparedRun prepared, string folder, RunFolderMode mode) =>
        RunStart.Open(folder, mode, prepared.Plan, prepared.Loaded.Directory, prepared.Plugins, logger, SetByOptions);

    /// <summary>Recipe fields this command's options replaced (<see cref="WithPrecisionOption"/>), by JSON path.</summary>
    private Dictionary<string, string> SetByOptions =>
        settings.Value.Precision is null ? [] : new() { ["$.training.precision"] = "--precision" };

    /// <summary>What every study shares, with the baseline before training measured once for the run (or read back when resuming).</summary>
    private StudyContext StudyContextFor(PreparedRun prepared, string runFolder, bool resume, CancellationToken cancellation)
    {
        var recipe = prepared.Plan.Recipe;
        var trained = prepared.Tasks.Where(t => !t.Retention).ToList();
        var retention = prepared.Tasks.Where(t => t.Retention).ToList();
        var baseline = BaselineMeasurement.MeasureOrLoad(runFolder, resume, recipe.Model, prepared.Loaded.Directory, recipe.Seed, [.. trained, .. retention],
            prepared.Plan.Metrics, recipe.Evaluation, prepared.Tokenizer, prepared.Device, prepared.Plan.Precision, logger, cancellation);
        return new StudyContext(runFolder, prepared.Loaded.Directory, resume, recipe.Model, prepared.Device, prepared.Tokenizer, trained,
            prepared.Plan.Metrics, recipe.Evaluation, baseline.Take(trained.Count).ToList(), TensorBoardFor(runFolder, recipe.Training), progress)
        {
            Retention = retention,
            RetentionBaseline = baseline.Skip(trained.Count).ToList(),
            Precision = prepared.Plan.Precision,
        };
    }

    private static TensorBoardLog? TensorBoardFor(string runFolder, TrainingSettings training) =>
        training.ReportTo.Contains("tensorboard") ? new TensorBoardLog(Path.Combine(runFolder, TensorBoardLog.FolderName)) : null;

    private static RunFolderMode ModeOf(RunRequest request) =>
        request.Resume ? RunFolderMode.Resume : request.Overwrite ? RunFolderMode.Overwrite : RunFolderMode.New;

    /// <summary>
    /// Prepares a run folder for its shards (<c>--stage baseline</c>, or the first shard to lock it): a new run pins its
    /// recipe and inputs, an existing one of the same recipe is checked against them; then the baseline and any
    /// selection are decided, once.
    /// </summary>
    private void PrepareRunFolder(RunRequest request, PreparedRun prepared, CancellationToken cancellation)
    {
        var folder = request.RunFolder!;
        var mode = request.Overwrite ? RunFolderMode.Overwrite : File.Exists(Path.Combine(folder, RunFolder.RecipeFile)) ? RunFolderMode.Resume : RunFolderMode.New;
        using var runFolder = OpenRunFolder(prepared, folder, mode);
        prepared = WithPrecisionPinnedBy(runFolder.Path, prepared);
        if (RunPreparation.IsDone(runFolder.Path) && mode == RunFolderMode.Resume)
        {
            logger.LogInformation("Run folder {RunFolder} was already prepared", runFolder.Path);
            return;
        }
        runLog.Open(runFolder.Path, Path.Combine(RunFolderFiles.LogsFolder, "baseline.json"));
        if (runFolder.MovedAsideTo is { } aside) logger.LogWarning("--overwrite: the folder's earlier contents were moved to {Aside}", aside);
        Decided(prepared.Plan, StudyContextFor(prepared, runFolder.Path, resume: true, cancellation), cancellation);
    }

    /// <summary>
    /// The plan with nothing left open: each searched method's choice read from <c>prepared.json</c>, or made now on
    /// validation data and recorded there, after the baseline (already in <paramref name="context"/>).
    /// </summary>
    private RunPlan Decided(RunPlan plan, StudyContext context, CancellationToken cancellation)
    {
        if (RunPreparation.IsDone(context.RunFolder)) return RunPreparation.Apply(context.RunFolder, plan);
        var chosen = plan.NeedsSelection ? Select(plan, context, cancellation) : new Dictionary<string, StudyPlan>();
        RunPreparation.Write(context.RunFolder, chosen);
        return plan.NeedsSelection ? plan.WithChosen(chosen) : plan;
    }

    /// <summary>
    /// One shard's (or one study's) studies in the shared run folder: once the folder is prepared, each study under its
    /// own lock, continued where it stopped; finished ones are skipped. Reports are left
    /// to <c>peftqa report</c>, which reads every study's result.
    /// </summary>
    private void RunPart(RunRequest request, PreparedRun prepared, PartOfRun part, CancellationToken cancellation)
    {
        WaitUntilPrepared(request, prepared, cancellation);
        using var runFolder = OpenRunFolder(prepared, request.RunFolder!, RunFolderMode.Shard);
        prepared = WithPrecisionPinnedBy(runFolder.Path, prepared);
        runLog.Open(runFolder.Path, Path.Combine(RunFolderFiles.LogsFolder, $"{part.Name}.json"));
        var context = StudyContextFor(prepared, runFolder.Path, resume: true, cancellation);
        var plan = RunPreparation.Apply(runFolder.Path, prepared.Plan);
        var studies = part.Indices.Select(i => plan.Studies[i]).ToList();
        logger.LogInformation("{Part} of run folder {RunFolder}: {Studies}", part.Name, runFolder.Path, string.Join(", ", studies.Select(s => s.Label)));
        Train(plan, studies, context, finished: null, cancellation);
        logger.LogInformation("{Part} finished {Count} studies; once every shard has, write the reports with: peftqa report {RunFolder}", part.Name, studies.Count, runFolder.Path);
    }

    /// <summary>Until the folder is prepared: prepares it if no other process is (the first to lock it does), else waits for that one.</summary>
    private void WaitUntilPrepared(RunRequest request, PreparedRun prepared, CancellationToken cancellation)
    {
        bool announced = false;
        while (!RunPreparation.IsDone(request.RunFolder!))
        {
            bool existed = File.Exists(Path.Combine(request.RunFolder!, RunFolder.RecipeFile));
            try
            {
                PrepareRunFolder(request, prepared, cancellation);
                return;
            }
            catch (RunFolderInUseException)
            {
                if (!announced) logger.LogInformation("Waiting for {RunFolder} to be prepared by another process (its baseline{Selection})", request.RunFolder,
                    prepared.Plan.NeedsSelection ? " and selection" : "");
                announced = true;
            }
            catch (BadInputException) when (!existed && File.Exists(Path.Combine(request.RunFolder!, RunFolder.RecipeFile)))
            {
                // Another shard created the run between our look and our lock: look again.
            }
            cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(2));
            cancellation.ThrowIfCancellationRequested();
        }
    }

    /// <summary>A whole run: every study, with the reports rewritten after each, then printed.</summary>
    private void RunStudies(RunPlan plan, StudyContext context, CancellationToken cancellation)
    {
        var results = new List<StudyResult>();
        var statistics = StudyStatistics.For(plan);
        Train(plan, plan.Studies, context, result =>
        {
            results.Add(result);
            RunReportWriter.Write(context.RunFolder, plan, results, statistics);
        }, cancellation);
        ResultsTable.Print(plan, results, statistics, console);
        if (results.Count > 1) logger.LogInformation("Comparison: {Markdown}", Path.Combine(context.RunFolder, RunFolderFiles.CompareMarkdownFile));
        logger.LogInformation("Report: {Report}", Path.Combine(context.RunFolder, RunFolderFiles.ReportFile));
        logger.LogInformation("Results: {Results}", Path.Combine(context.RunFolder, RunFolderFiles.ResultsFile));
    }

    /// <summary>
    /// Runs <paramref name="studies"/> in order, whether a whole run's or a shard's. Every study's lock is taken first,
    /// before any work, so a second process given the same studies stops at once, naming the first.
    /// </summary>
    private void Train(RunPlan plan, IReadOnlyList<StudyPlan> studies, StudyContext context, Action<StudyResult>? finished, CancellationToken cancellation)
    {
        var locks = new List<RunFolderLock>();
        try
        {
            foreach (var study in studies) locks.Add(RunFolderLock.ForStudy(StudyFolder.For(context.RunFolder, study.Label), study.Label, runLog.Path));
            foreach (var study in studies)
            {
                var result = studyRunner.Run(study, context, cancellation);
                RecordContinual(plan, context, result);
                finished?.Invoke(result);
            }
        }
        finally
        {
            foreach (var studyLock in locks) studyLock.Dispose();
        }
    }

    /// <summary>The study's continual metrics in TensorBoard, beside its training curves.</summary>
    private static void RecordContinual(RunPlan plan, StudyContext context, StudyResult result) =>
        context.TensorBoard?.Continual(result.Label, result.Tasks.Count,
            ContinualSummary.Compute(result, plan.ContinualMetrics, ContinualSummary.ReportedScores)
                .SelectMany(c => c.Metrics.Where(m => m.Value.Value is not null).Select(m => (c.Score, m.Key, m.Value.Value!.Value))));

    /// <summary>Each searched method's winner, chosen on the validation sets in the run folder's <c>selection/</c>.</summary>
    private IReadOnlyDictionary<string, StudyPlan> Select(RunPlan plan, StudyContext context, CancellationToken cancellation)
    {
        var folder = Path.Combine(context.RunFolder, SelectionRunner.FolderName);
        var selectionContext = selectionRunner.ContextFor(context, plan.Recipe.Seed, TensorBoardFor(folder, plan.Recipe.Training), cancellation);
        return selectionRunner.Choose(plan.Studies, plan.Recipe.Selection!, selectionContext, cancellation);
    }

    /// <summary>--out; else a new timestamped folder; else, resuming, the newest run of this recipe under its output folder.</summary>
    private static string ChooseRunFolder(RunRequest request, Recipe recipe)
    {
        if (request.RunFolder is { } explicitFolder) return explicitFolder;
        if (!request.Resume) return Path.Combine(recipe.Output, $"{recipe.Name}-{DateTime.Now:yyyyMMdd-HHmmss}");
        var ownName = new System.Text.RegularExpressions.Regex($"^{System.Text.RegularExpressions.Regex.Escape(recipe.Name)}-([0-9]{{8}}-[0-9]{{6}})(?:-([0-9]+))?$");
        var previous = Directory.Exists(recipe.Output)
            ? Directory.GetDirectories(recipe.Output).Select(d => (Folder: d, Name: ownName.Match(Path.GetFileName(d))))
                .Where(d => d.Name.Success && File.Exists(Path.Combine(d.Folder, RunFolder.RecipeFile)))
                .OrderBy(d => d.Name.Groups[1].Value, StringComparer.Ordinal)
                .ThenBy(d => d.Name.Groups[2].Success ? int.Parse(d.Name.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 1)
                .Select(d => d.Folder).LastOrDefault()
            : null;
        return previous ?? throw new BadInputException($"--resume: no earlier run of '{recipe.Name}' under {Path.GetFullPath(recipe.Output)}; run it without --resume first");
    }
}
