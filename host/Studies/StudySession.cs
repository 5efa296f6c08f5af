using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using TorchSharp;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Host.Studies;

/// <summary>
/// One study while it runs: its folder and saved progress (<see cref="StudyState"/>), its model and continual learner,
/// and the steps around training a task: skipping a finished one, saving after one, and saving what was trained.
/// </summary>
internal sealed class StudySession : IDisposable
{
    private readonly ILogger logger;
    private readonly string statePath;
    private readonly Checkpoint.LoadedModel loaded;
    private readonly HashSet<Parameter> modelParameters;
    private long trainable, total;

    private StudySession(StudyPlan study, StudyContext context, Checkpoint.LoadedModel loaded, ILogger logger)
    {
        Study = study;
        Context = context;
        this.loaded = loaded;
        this.logger = logger;
        Folder = StudyFolder.For(context.RunFolder, study.Label);
        Directory.CreateDirectory(Folder);
        statePath = Path.Combine(Folder, RunFolderFiles.StudyStateFile);
        Metrics = new MetricsLog(Path.Combine(Folder, RunFolderFiles.MetricsFile), context.TensorBoard);
        State = context.Resume ? StudyState.LoadOrNew(statePath) : new StudyState();
        modelParameters = new HashSet<Parameter>(Model.NamedParameters.Select(p => p.Parameter), ReferenceEqualityComparer.Instance);
        var taskNames = context.Tasks.Select(t => t.Name).ToList();
        var setup = new ContinualSetup(Model, () => study.Strategy.Attach(Model, study.Options), taskNames, study.Seed)
        {
            Retention = context.Retention.Select((task, r) => new RetentionTask(task.Name, new TaskSamples(Model, taskNames.Count + r, task,
                Enumerable.Range(0, task.TrainFeatures.Count).ToList(), context.Tokenizer.PadId, context.Device))).ToList(),
            StartsFromQaModel = !loaded.Report.HeadInitialized,
            Log = line => logger.LogInformation("{Study}: {Line}", study.Label, line),
        };
        Learner = study.Continual.Strategy.Start(setup, study.Continual.Options);
    }

    public StudyPlan Study { get; }

    public StudyContext Context { get; }

    public string Folder { get; }

    public StudyState State { get; }

    /// <summary>The study's own metrics.jsonl (mirrored to the run's TensorBoard log), so no two studies share a file.</summary>
    public MetricsLog Metrics { get; }

    public BertForQuestionAnswering Model => loaded.Model;

    public IContinualLearner Learner { get; }

    /// <summary>
    /// The base model, seeded so its fresh QA head is the run's, on the run's device, with the study's attention and
    /// hidden dropout.
    /// </summary>
    public static StudySession Start(StudyPlan study, StudyContext context, ILogger logger)
    {
        ProcessMemory.ResetPeak();
        manual_seed(study.Seed);
        var loaded = ModelSources.Load(context.Model, context.RecipeDirectory, logger);
        loaded.Model.to(context.Device);
        loaded.Model.UseComputeDType(context.Precision.DType);
        if (study.Tasks[0].Settings.AttentionDropout is { } attentionDropout) loaded.Model.SetAttentionDropout(attentionDropout);
        if (study.Tasks[0].Settings.HiddenDropout is { } hiddenDropout) loaded.Model.SetHiddenDropout(hiddenDropout);
        return new StudySession(study, context, loaded, logger);
    }

    /// <summary>Where the answers after the last task are kept (<see cref="Evaluation.AnswerFile"/>).</summary>
    public string AnswersFolder => Path.Combine(Folder, RunFolderFiles.AnswersFolder);

    public string CheckpointFolder(int task) =>
        Path.Combine(Folder, RunFolderFiles.TasksFolder, RunFolderFiles.TaskFolder(task, Context.Tasks[task].Name), RunFolderFiles.CheckpointsFolder);

    private string LearnerStateFolder(int task) => Path.Combine(Folder, RunFolderFiles.LearnerStateFolder, RunFolderFiles.AfterTaskFolder(task));

    private List<string> TaskNames => Context.Tasks.Select(t => t.Name).ToList();

    public void RecordBaseline()
    {
        if (State.Baseline is not null) return;
        State.Baseline = [.. Context.Baseline];
        State.RetentionBaseline = [.. Context.RetentionBaseline];
        State.Save(statePath);
        Context.TensorBoard?.Stage(Study.Label, 0, TaskNames, Context.Baseline);
    }

    public void CountParameters(IReadOnlyList<NamedParameter> taskTrainable)
    {
        trainable = taskTrainable.Sum(p => p.Parameter.numel());
        total = modelParameters.Sum(p => p.numel())
                + taskTrainable.Where(p => !modelParameters.Contains(p.Parameter)).Sum(p => p.Parameter.numel());
        logger.LogInformation("Study {Study}: adapter {Strategy}, continual strategy {Continual}; " +
                              "{Trainable:N0} of {Total:N0} parameters trainable ({Percent:F3}%), optimizer state {OptimizerMegabytes:F1} MB",
            Study.Label, Study.Strategy.Name, Study.Continual.Strategy.Name, trainable, total, 100.0 * trainable / total, trainable * 8 / 1048576.0);
    }

    /// <summary>A task finished before an interruption: the newest learner state is loaded, older leftovers removed.</summary>
    public void SkipFinishedTask(int task)
    {
        if (task == State.CompletedTasks - 1) Learner.Load(LearnerStateFolder(task));
        else if (!Study.KeepsEveryStage) DeleteLeftover(LearnerStateFolder(task));
        DeleteLeftover(CheckpointFolder(task));
        logger.LogInformation("{Study}: task {Task} already done; skipping to the next", Study.Label, Context.Tasks[task].Name);
    }

    /// <summary>Saves the learner and the scores after a task, then removes what resuming no longer needs.</summary>
    public void FinishTask(int task, TrainingSummary summary, StageScores stage)
    {
        var scores = stage.Trained;
        var stateFolder = LearnerStateFolder(task);
        Directory.CreateDirectory(stateFolder);
        Learner.Save(stateFolder);
        State.Training.Add(summary);
        State.AfterTask.Add(scores);
        State.RetentionAfterTask.Add(stage.Retention);
        State.Save(statePath);
        Context.TensorBoard?.Stage(Study.Label, task + 1, TaskNames, scores);
        if (Directory.Exists(CheckpointFolder(task))) Directory.Delete(CheckpointFolder(task), recursive: true);
        if (task > 0 && !Study.KeepsEveryStage) DeleteLeftover(LearnerStateFolder(task - 1), quiet: true);
    }

    /// <summary>
    /// Task <paramref name="task"/> trained once already by the study this one reuses (<see cref="StudyPlan.ReusesTrainingOf"/>):
    /// its learner state after the task is loaded in place of training, its training log lines are copied, and its
    /// training summary is returned. Null, and the task trains, when there is no such study or it has not finished.
    /// </summary>
    public TrainingSummary? AdoptReusedTraining(int task)
    {
        if (Study.ReusesTrainingOf is not { } relative) return null;
        var source = Path.Combine(Context.RunFolder, relative);
        var learnerState = Path.Combine(source, RunFolderFiles.LearnerStateFolder, RunFolderFiles.AfterTaskFolder(task));
        var sourceState = File.Exists(Path.Combine(source, RunFolderFiles.StudyResultFile))
            ? StudyState.LoadOrNew(Path.Combine(source, RunFolderFiles.StudyStateFile))
            : null;
        if (sourceState is null || sourceState.Training.Count <= task || !Directory.Exists(learnerState))
        {
            logger.LogInformation("{Study}: {Source} trains the same way but has not finished (or kept task {Task}); training it here",
                Study.Label, source, Context.Tasks[task].Name);
            return null;
        }
        Learner.Load(learnerState);
        CopyTrainingLog(source, task);
        State.TrainingReusedFrom = relative;
        logger.LogInformation("{Study}: task {Task} was trained already, the same way, by {Source}: its weights are reused, not trained again",
            Study.Label, Context.Tasks[task].Name, source);
        return sourceState.Training[task];
    }

    /// <summary>The source study's training lines for the task (loss, validation, early stop), under this study's label.</summary>
    private void CopyTrainingLog(string source, int task)
    {
        var path = Path.Combine(source, RunFolderFiles.MetricsFile);
        if (!File.Exists(path)) return;
        Metrics.TruncateAfter(Study.Label, Context.Tasks[task].Name, 0);
        foreach (var text in File.ReadLines(path))
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(text) is not System.Text.Json.Nodes.JsonObject line
                || line["task"]?.GetValue<string>() != Context.Tasks[task].Name
                || line["event"]?.GetValue<string>() is "curve" or "evaluation") continue;
            line["study"] = Study.Label;
            line["reused_from"] = Path.GetFileName(source);
            Metrics.Write(line);
        }
    }

    public StudyResult Result()
    {
        var (adapterFolders, modelFolder) = StudyOutputs.Save(Learner, Study, Context, loaded.VocabPath, Model, modelParameters, Folder);
        long adapterBytes = adapterFolders.Sum(d => Directory.GetFiles(d).Sum(f => new FileInfo(f).Length));
        return new StudyResult(Study.Label, Study.Strategy.Name, Study.Continual.Label, Study.Continual.Strategy.Name,
            Context.Tasks.Select(t => t.Name).ToList(), State.Baseline!, State.AfterTask, State.Training, trainable, total,
            adapterFolders.FirstOrDefault() ?? Folder, modelFolder, ProcessMemory.PeakBytes(), adapterBytes, RoutingName(Learner.Routing),
            State.RoutingAccuracy, AnswersFolder, Study.Configuration, Study.Seed, Study.Choices.Length == 0 ? null : Study.Choices)
        {
            TrainingReusedFrom = State.TrainingReusedFrom,
            StartedFrom = Context.Model,
            Precision = Context.Precision,
            BaselineAnswersFolder = Evaluation.AnswerFile.BaselineFolder(Context.RunFolder),
            Retention = Context.Retention.Count == 0 ? null : Context.Retention.Select((task, r) => new RetentionScores(
                    task.Name,
                    (State.RetentionBaseline ?? [.. Context.RetentionBaseline])[r],
                    State.RetentionAfterTask.Select(stage => (IReadOnlyDictionary<string, double>)stage[r]).ToList()))
                .ToList(),
        };
    }

    /// <summary>How the study's evaluation picks an adapter, as reports name it.</summary>
    private static string RoutingName(EvaluationRouting routing) => routing switch
    {
        EvaluationRouting.ByTaskId => "task id",
        EvaluationRouting.ByContent => "nearest [CLS] centroid",
        _ => "shared",
    };

    /// <summary>
    /// Removes what a run killed between finishing a task and cleaning up after it left behind (the task's checkpoints,
    /// an older learner state), which a resumed run no longer needs.
    /// </summary>
    private void DeleteLeftover(string path, bool quiet = false)
    {
        if (!Directory.Exists(path)) return;
        Directory.Delete(path, recursive: true);
        if (!quiet) logger.LogInformation("Removed {Folder}, left over from a finished task", path);
    }

    public void Dispose()
    {
        Learner.Dispose();
        loaded.Model.Dispose();
    }
}
