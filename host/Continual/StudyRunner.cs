using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Host.Training;
using PeftQa.Host.Foundation;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftQa.Host.Continual;

/// <summary>What a study runs in: the run folder, device, tokenizer, shared data and logs.</summary>
public sealed record StudyContext(string RunFolder, string RecipeDirectory, bool Resume, Device Device, BertTokenizer Tokenizer,
    IReadOnlyList<TaskData> Tasks, MetricsLog Metrics, ITrainingObserver Observer)
{
    /// <summary>
    /// The baseline b[j]: the base model, loaded after seeding with the recipe's seed (so its fresh QA head is the same),
    /// with nothing attached. It is the same for every study of a run, so the first study measures it and the rest reuse it.
    /// </summary>
    public List<Dictionary<string, double>>? Baseline { get; set; }
}

/// <summary>
/// Runs one study: a fresh copy of the base model with the study's adapter strategy, evaluated on every task before
/// training (the baseline), then trained on each task in order and evaluated on every task after each (the R matrix).
/// A single-task recipe is a study of one task; a comparison is several studies over the same data. Progress is saved
/// after every stage so <c>--resume</c> continues where it stopped.
/// </summary>
public sealed class StudyRunner(QaTrainer trainer, ILogger<StudyRunner> logger)
{
    public StudyResult Run(RunPlan plan, StudyPlan study, StudyContext context, CancellationToken cancellation)
    {
        var folder = Path.Combine(context.RunFolder, "studies", FolderNames.For(study.Label));
        Directory.CreateDirectory(folder);
        var statePath = Path.Combine(folder, "study-state.json");
        var state = context.Resume ? StudyState.LoadOrNew(statePath) : new StudyState();
        var recipe = plan.Recipe;

        ProcessMemory.ResetPeak();
        manual_seed(recipe.Seed);
        var loaded = ModelSources.Load(recipe.Model, context.RecipeDirectory, logger);
        using var model = loaded.Model;
        model.to(context.Device);
        if (recipe.Training.AttentionDropout is { } attentionDropout) model.SetAttentionDropout(attentionDropout);
        var modelParameters = new HashSet<TorchSharp.Modules.Parameter>(model.NamedParameters.Select(p => p.Parameter), ReferenceEqualityComparer.Instance);
        var taskNames = context.Tasks.Select(t => t.Name).ToList();
        using var learner = study.Continual.Strategy.Start(
            new ContinualSetup(model, () => study.Strategy.Attach(model, study.Options), taskNames, recipe.Seed), study.Continual.Options);

        IReadOnlyDictionary<string, double>[] EvaluateAll(string stage, int trainedThrough)
        {
            var scores = new IReadOnlyDictionary<string, double>[context.Tasks.Count];
            var routing = new double?[context.Tasks.Count];
            for (int j = 0; j < context.Tasks.Count; j++)
            {
                ContentRouter? router = null;
                if (learner.Routing == EvaluationRouting.ByContent && trainedThrough >= 0) router = new ContentRouter(model, learner, j);
                else learner.Activate(j);
                var result = QaEvaluator.Evaluate(model, context.Tasks[j].Eval, plan.Metrics, recipe.Evaluation, context.Tokenizer.PadId, context.Device,
                    cancellation, EvaluationProgress.Logged(logger, $"{study.Label} {stage}, task {context.Tasks[j].Name}"), router is null ? null : router.Forward);
                scores[j] = result.Scores;
                if (router is not null && j <= trainedThrough) routing[j] = 100.0 * router.Correct / Math.Max(1, router.Windows);
                logger.LogInformation("{Study} {Stage}, task {Task}: {Scores}{Routing} ({Seconds:F1} s)", study.Label, stage, context.Tasks[j].Name,
                    string.Join(", ", result.Scores.Select(s => $"{s.Key} {s.Value:F2}")),
                    routing[j] is { } accuracy ? $", routed to its own adapter {accuracy:F1}%" : "", result.Seconds);
            }
            if (learner.Routing == EvaluationRouting.ByContent && trainedThrough >= 0) (state.RoutingAccuracy ??= []).Add([.. routing]);
            return scores;
        }

        if (state.Baseline is null)
        {
            if (context.Baseline is null) context.Baseline = EvaluateAll("before training", -1).Select(s => s.ToDictionary()).ToList();
            else logger.LogInformation("{Study}: baseline before training as measured for the run's first study (same base model and seed)", study.Label);
            state.Baseline = context.Baseline;
            state.Save(statePath);
        }
        context.Baseline ??= state.Baseline;

        long trainable = 0, total = 0;
        for (int i = 0; i < context.Tasks.Count; i++)
        {
            var task = context.Tasks[i];
            var stateFolder = Path.Combine(folder, "continual", $"after-task-{i + 1}");
            // Seeded per task, so adapters a task attaches start the same whether or not the study was resumed.
            manual_seed(recipe.Seed + 1000 * (i + 1));
            var taskTrainable = learner.BeginTask(i);
            if (i == 0)
            {
                trainable = taskTrainable.Sum(p => p.Parameter.numel());
                total = modelParameters.Sum(p => p.numel()) + taskTrainable.Where(p => !modelParameters.Contains(p.Parameter)).Sum(p => p.Parameter.numel());
                logger.LogInformation("Study {Study}: adapter {Strategy}, continual strategy {Continual}; {Trainable:N0} of {Total:N0} parameters trainable ({Percent:F3}%), optimizer state {OptimizerMegabytes:F1} MB",
                    study.Label, study.Strategy.Name, study.Continual.Strategy.Name, trainable, total, 100.0 * trainable / total, trainable * 8 / 1048576.0);
            }
            var checkpoints = Path.Combine(folder, "tasks", $"{i + 1}-{FolderNames.For(task.Name)}", "checkpoints");
            if (i < state.CompletedTasks)
            {
                if (i == state.CompletedTasks - 1) learner.Load(stateFolder);
                else DeleteLeftover(stateFolder);
                DeleteLeftover(checkpoints);
                logger.LogInformation("{Study}: task {Task} already done; skipping to the next", study.Label, task.Name);
                continue;
            }
            var settings = study.LearningRate is { } rate ? recipe.Training with { LearningRate = rate } : recipe.Training;
            if (study.Tasks[i].MaxSteps is { } taskSteps) settings = settings with { MaxSteps = taskSteps };
            int seed = recipe.Seed + i;
            var job = new TrainingJob(study.Label, task.Name, task.TrainFeatures, taskTrainable, settings, seed, checkpoints, context.Resume,
                step => QaEvaluator.Evaluate(model, task.Eval, plan.Metrics, recipe.Evaluation, context.Tokenizer.PadId, context.Device, cancellation).Scores,
                new LearnerTrainingHooks(learner, i, context.Tasks));
            var summary = trainer.Train(model, job, context.Tokenizer.PadId, context.Device, context.Metrics, context.Observer, cancellation);
            logger.LogInformation("{Study}: trained on {Task}: {Steps} steps, {Examples:N0} windows in {Seconds:F0} s ({Rate:F1} windows/s), last loss {Loss:F3}",
                study.Label, task.Name, summary.Steps, summary.Examples, summary.Seconds, summary.ExamplesPerSecond, summary.FinalLoss);

            learner.EndTask(i, new TaskSamples(model, i, task, QaTrainer.SeenWindows(task.TrainFeatures.Select(f => f.Length).ToArray(), settings, seed), context.Tokenizer.PadId, context.Device));
            Directory.CreateDirectory(stateFolder);
            learner.Save(stateFolder);
            state.Training.Add(summary);
            state.AfterTask.Add(EvaluateAll($"after training on {task.Name}", i).Select(s => s.ToDictionary()).ToList());
            state.Save(statePath);
            if (Directory.Exists(checkpoints)) Directory.Delete(checkpoints, recursive: true);
            // Only the newest state is needed to resume.
            var previous = Path.Combine(folder, "continual", $"after-task-{i}");
            if (i > 0 && Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
        }

        var (adapterFolders, modelFolder) = SaveAdapters(learner, study, loaded.VocabPath, model, modelParameters, folder);
        long adapterBytes = adapterFolders.Sum(d => Directory.GetFiles(d).Sum(f => new FileInfo(f).Length));
        return new StudyResult(study.Label, study.Strategy.Name, study.Continual.Label, study.Continual.Strategy.Name, taskNames, state.Baseline!,
            state.AfterTask, state.Training, trainable, total, adapterFolders.FirstOrDefault() ?? folder, modelFolder, ProcessMemory.PeakBytes(), adapterBytes,
            learner.Routing switch { EvaluationRouting.ByTaskId => "task id", EvaluationRouting.ByContent => "nearest [CLS] centroid", _ => "shared" },
            state.RoutingAccuracy);
    }

    /// <summary>
    /// Saves what the study trained: one adapter in <c>adapter/</c>, or one folder per adapter (<c>adapter-1-&lt;task&gt;/</c>, ...);
    /// and, where one model answers every task, the complete model with the adapters merged in <c>model/</c>.
    /// </summary>
    private static (IReadOnlyList<string> AdapterFolders, string? ModelFolder) SaveAdapters(IContinualLearner learner, StudyPlan study, string vocabPath,
        BertForQuestionAnswering model, HashSet<TorchSharp.Modules.Parameter> modelParameters, string folder)
    {
        var adapters = learner.Adapters;
        var folders = new List<string>();
        for (int i = 0; i < adapters.Count; i++)
        {
            var adapterFolder = adapters.Count == 1 ? Path.Combine(folder, "adapter") : Path.Combine(folder, $"adapter-{i + 1}-{FolderNames.For(study.Tasks[Math.Min(i, study.Tasks.Count - 1)].Name)}");
            learner.Activate(i);
            AdapterFolder.Save(adapters[i], study.Strategy, study.Options, model.Description, adapterFolder);
            folders.Add(adapterFolder);
        }
        if (learner.Routing != EvaluationRouting.Shared || adapters.Count == 0) return (folders, null);

        var modelFolder = Path.Combine(folder, "model");
        if (adapters.All(a => a.TrainableParameters.All(p => modelParameters.Contains(p.Parameter))))
            Checkpoint.Save(model, vocabPath, modelFolder);
        else if (adapters.All(a => a.SupportsMerge))
        {
            foreach (var adapter in adapters) adapter.Merge();
            Checkpoint.Save(model, vocabPath, modelFolder);
            foreach (var adapter in adapters.Reverse()) adapter.Unmerge();
        }
        else return (folders, null);
        return (folders, modelFolder);
    }

    /// <summary>
    /// Removes what a run killed between finishing a task and cleaning up after it left behind (the task's checkpoints,
    /// an older learner state), which a resumed run no longer needs.
    /// </summary>
    private void DeleteLeftover(string path)
    {
        if (!Directory.Exists(path)) return;
        Directory.Delete(path, recursive: true);
        logger.LogInformation("Removed {Folder}, left over from a finished task", path);
    }
}
