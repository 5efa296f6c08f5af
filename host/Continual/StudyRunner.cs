using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Host.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftQa.Host.Continual;

/// <summary>What a study runs in: the run folder, device, tokenizer, shared data and logs.</summary>
public sealed record StudyContext(string RunFolder, string RecipeDirectory, bool Resume, Device Device, BertTokenizer Tokenizer,
    IReadOnlyList<TaskData> Tasks, MetricsLog Metrics, ITrainingObserver Observer);

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
        var folder = Path.Combine(context.RunFolder, "studies", SafeName(study.Label));
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
        using var adapter = study.Strategy.Attach(model, study.Options);
        long trainable = adapter.TrainableParameters.Sum(p => p.Parameter.numel());
        var modelParameters = new HashSet<TorchSharp.Modules.Parameter>(model.NamedParameters.Select(p => p.Parameter), ReferenceEqualityComparer.Instance);
        long total = modelParameters.Sum(p => p.numel())
                     + adapter.TrainableParameters.Where(p => !modelParameters.Contains(p.Parameter)).Sum(p => p.Parameter.numel());
        logger.LogInformation("Study {Study}: strategy {Strategy}, {Trainable:N0} of {Total:N0} parameters trainable ({Percent:F3}%), optimizer state {OptimizerMegabytes:F1} MB",
            study.Label, study.Strategy.Name, trainable, total, 100.0 * trainable / total, trainable * 8 / 1048576.0);

        IReadOnlyDictionary<string, double>[] EvaluateAll(string stage)
        {
            var scores = new IReadOnlyDictionary<string, double>[context.Tasks.Count];
            for (int j = 0; j < context.Tasks.Count; j++)
            {
                var result = QaEvaluator.Evaluate(model, context.Tasks[j].Eval, plan.Metrics, recipe.Evaluation, context.Tokenizer.PadId, context.Device,
                    cancellation, EvaluationProgress($"{study.Label} {stage}, task {context.Tasks[j].Name}"));
                scores[j] = result.Scores;
                logger.LogInformation("{Study} {Stage}, task {Task}: {Scores} ({Seconds:F1} s)", study.Label, stage, context.Tasks[j].Name,
                    string.Join(", ", result.Scores.Select(s => $"{s.Key} {s.Value:F2}")), result.Seconds);
            }
            return scores;
        }

        if (state.Baseline is null)
        {
            state.Baseline = EvaluateAll("before training").Select(s => s.ToDictionary()).ToList();
            state.Save(statePath);
        }

        for (int i = 0; i < context.Tasks.Count; i++)
        {
            var task = context.Tasks[i];
            var snapshot = Path.Combine(folder, $"after-task-{i + 1}.safetensors");
            if (i < state.CompletedTasks)
            {
                if (i == state.CompletedTasks - 1) RestoreTrainable(snapshot, adapter.TrainableParameters);
                logger.LogInformation("{Study}: task {Task} already done; skipping to the next", study.Label, task.Name);
                continue;
            }
            var checkpoints = Path.Combine(folder, "tasks", $"{i + 1}-{SafeName(task.Name)}", "checkpoints");
            var settings = study.LearningRate is { } rate ? recipe.Training with { LearningRate = rate } : recipe.Training;
            var job = new TrainingJob(study.Label, task.Name, task.TrainFeatures, adapter.TrainableParameters, settings, recipe.Seed + i,
                checkpoints, context.Resume,
                step => QaEvaluator.Evaluate(model, task.Eval, plan.Metrics, recipe.Evaluation, context.Tokenizer.PadId, context.Device, cancellation).Scores);
            var summary = trainer.Train(model, job, context.Tokenizer.PadId, context.Device, context.Metrics, context.Observer, cancellation);
            logger.LogInformation("{Study}: trained on {Task}: {Steps} steps, {Examples:N0} windows in {Seconds:F0} s ({Rate:F1} windows/s), last loss {Loss:F3}",
                study.Label, task.Name, summary.Steps, summary.Examples, summary.Seconds, summary.ExamplesPerSecond, summary.FinalLoss);

            SafeTensors.Save(snapshot, adapter.TrainableParameters.Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Parameter)));
            state.Training.Add(summary);
            state.AfterTask.Add(EvaluateAll($"after training on {task.Name}").Select(s => s.ToDictionary()).ToList());
            state.Save(statePath);
            if (Directory.Exists(checkpoints)) Directory.Delete(checkpoints, recursive: true);
        }

        var adapterFolder = Path.Combine(folder, "adapter");
        AdapterFolder.Save(adapter, study.Strategy, study.Options, recipe.Model, adapterFolder);
        string? modelFolder = null;
        if (adapter.TrainableParameters.All(p => modelParameters.Contains(p.Parameter)))
        {
            modelFolder = Path.Combine(folder, "model");
            Checkpoint.Save(model, loaded.VocabPath, modelFolder);
        }
        else if (adapter.SupportsMerge)
        {
            modelFolder = Path.Combine(folder, "model");
            adapter.Merge();
            Checkpoint.Save(model, loaded.VocabPath, modelFolder);
            adapter.Unmerge();
        }
        long adapterBytes = Directory.GetFiles(adapterFolder).Sum(f => new FileInfo(f).Length);
        return new StudyResult(study.Label, study.Strategy.Name, context.Tasks.Select(t => t.Name).ToList(), state.Baseline!,
            state.AfterTask, state.Training, trainable, total, adapterFolder, modelFolder, ProcessMemory.PeakBytes(), adapterBytes);
    }

    /// <summary>A log line at most every 20 seconds while a long evaluation runs.</summary>
    private Action<int, int> EvaluationProgress(string what)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        return (done, total) =>
        {
            if (watch.Elapsed - last < TimeSpan.FromSeconds(20) || done == total) return;
            last = watch.Elapsed;
            var remaining = TimeSpan.FromSeconds(watch.Elapsed.TotalSeconds / done * (total - done));
            logger.LogInformation("{What}: evaluated {Done:N0} of {Total:N0} windows, about {Remaining} left", what, done, total, remaining.ToString(@"mm\:ss"));
        };
    }

    private static void RestoreTrainable(string snapshot, IReadOnlyList<NamedParameter> trainable) =>
        AdapterFiles.LoadParameters(snapshot, trainable.Select(p => (p.Name, p.Parameter)),
            $"{trainable.Count} trainable tensors", "the snapshot belongs to another recipe or strategy");

    public static string SafeName(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
