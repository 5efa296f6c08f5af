using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Host.Training;

/// <summary>What one training stage produced.</summary>
public sealed record TrainingSummary(int Steps, long Examples, double Seconds, double ExamplesPerSecond, double FinalLoss, int ResumedAtStep);

/// <summary>The training loss became NaN or infinite; the last good checkpoint is kept.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>Everything one training stage needs besides the model.</summary>
public sealed record TrainingJob(
    string Study,
    string Task,
    IReadOnlyList<QaFeature> Features,
    IReadOnlyList<NamedParameter> Trainable,
    TrainingSettings Settings,
    int Seed,
    string CheckpointFolder,
    bool Resume,
    Func<int, IReadOnlyDictionary<string, double>>? Evaluate = null,
    ITrainingHooks? Hooks = null);

/// <summary>What a continual-learning strategy adds to training: windows of earlier tasks in each batch, a term in the loss.</summary>
public interface ITrainingHooks
{
    /// <summary>Windows to add to training batch <paramref name="batch"/> (counted from 0 within the task).</summary>
    IReadOnlyList<QaFeature> ExtraWindows(int batch);

    /// <summary>A term added to the loss at every step, or null; created inside the step's dispose scope.</summary>
    Tensor? Penalty();
}

/// <summary>
/// Fine-tunes a QA model: AdamW with decoupled weight decay (none on biases and LayerNorm weights) over the trainable
/// parameters only, linear warm-up then linear decay, gradient clipping, gradient accumulation, seeded shuffling.
/// Checkpoints hold the trainable weights, optimizer state, step, data position and RNG state, so a resumed run
/// continues exactly where the interrupted one was: the same recipe and seed give the same numbers on CPU.
/// </summary>
public sealed class QaTrainer(ILogger<QaTrainer> logger)
{
    public TrainingSummary Train(BertForQuestionAnswering model, TrainingJob job, int padId, Device device, MetricsLog metrics,
        ITrainingObserver observer, CancellationToken cancellation)
    {
        var settings = job.Settings;
        var lengths = job.Features.Select(f => f.Length).ToArray();
        int totalSteps = new BatchCursor(lengths, settings, job.Seed).TotalSteps;
        var schedule = new LearningRateSchedule(settings.LearningRate, (int)Math.Round(settings.WarmupRatio * totalSteps), totalSteps);

        using var trainingStep = new TrainingStep(model, job.Trainable, settings, padId, device, job.Hooks);
        var optimizer = trainingStep.Optimizer;
        manual_seed(job.Seed);
        var state = new TrainerState(0, 0, 0, job.Seed, TrainingCheckpoint.EncodeRng(), totalSteps, double.NaN);
        if (job.Resume && TrainingCheckpoint.Latest(job.CheckpointFolder) is { } checkpoint)
        {
            state = TrainingCheckpoint.Load(checkpoint, job.Trainable, optimizer);
            TrainingCheckpoint.RestoreRng(state.RngState);
            metrics.TruncateAfter(job.Study, job.Task, state.Step);
            logger.LogInformation("Resuming {Study}/{Task} from {Checkpoint} (step {Step} of {Total})", job.Study, job.Task, checkpoint, state.Step, totalSteps);
        }
        int resumedAt = state.Step;
        if (state.Step >= totalSteps) return new TrainingSummary(totalSteps, 0, 0, 0, state.LastLoss, resumedAt);

        model.train();
        observer.Started($"{job.Study} / {job.Task}", totalSteps, state.Step);
        var watch = Stopwatch.StartNew();
        long examples = 0, examplesSinceLog = 0;
        double lossSinceLog = 0;
        int stepsSinceLog = 0;
        double lastLoss = state.LastLoss;
        var logWatch = Stopwatch.StartNew();
        var cursor = new BatchCursor(lengths, settings, job.Seed, state.Epoch, state.BatchInEpoch);
        int step = state.Step;
        string? lastCheckpoint = TrainingCheckpoint.Latest(job.CheckpointFolder);

        try
        {
            while (step < totalSteps)
            {
                cancellation.ThrowIfCancellationRequested();
                double learningRate = schedule.At(step);
                var microBatches = cursor.NextStep().Select(b => (IReadOnlyList<QaFeature>)b.Select(i => job.Features[i]).ToList()).ToList();
                int stepExamples = microBatches.Sum(b => b.Count);
                var outcome = trainingStep.Take(microBatches, step, learningRate);
                if (!double.IsFinite(outcome.Loss))
                    throw new TrainingDivergedException($"{job.Study}/{job.Task}: the loss became {outcome.Loss} at step {step + 1}; " +
                        (lastCheckpoint is null ? "no checkpoint was written yet" : $"the last good checkpoint is {lastCheckpoint}") +
                        $". Lower the learning rate (now {settings.LearningRate}) or raise warmupRatio.");
                double stepLoss = outcome.Loss;
                double? stepPenalty = outcome.Penalty;
                step++;
                examples += stepExamples;
                examplesSinceLog += stepExamples;
                lossSinceLog += stepLoss;
                stepsSinceLog++;
                lastLoss = stepLoss;
                observer.Advanced(step, stepLoss);

                bool last = step == totalSteps;
                if (step % settings.LogEvery == 0 || last)
                {
                    double rate = examplesSinceLog / Math.Max(1e-9, logWatch.Elapsed.TotalSeconds);
                    var elapsed = watch.Elapsed;
                    var remaining = TimeSpan.FromSeconds(elapsed.TotalSeconds / (step - resumedAt) * (totalSteps - step));
                    var report = new StepReport(step, totalSteps, cursor.Epoch, lossSinceLog / stepsSinceLog, learningRate, rate, elapsed, remaining);
                    observer.Stepped(report);
                    var line = new JsonObject
                    {
                        ["study"] = job.Study, ["task"] = job.Task, ["step"] = step, ["epoch"] = Math.Round(cursor.Epoch + (double)cursor.BatchInEpoch / cursor.MicroBatchesPerEpoch, 4),
                        ["loss"] = report.Loss, ["learning_rate"] = learningRate, ["examples_per_second"] = Math.Round(rate, 3),
                        ["elapsed_seconds"] = Math.Round(elapsed.TotalSeconds, 2),
                    };
                    if (stepPenalty is { } lastPenalty) line["penalty"] = Math.Round(lastPenalty, 6);
                    metrics.Write(line);
                    lossSinceLog = 0;
                    stepsSinceLog = 0;
                    examplesSinceLog = 0;
                    logWatch.Restart();
                }
                if ((settings.CheckpointEvery is { } every && step % every == 0) || last)
                {
                    var saved = new TrainerState(step, cursor.Epoch, cursor.BatchInEpoch, job.Seed, TrainingCheckpoint.EncodeRng(), totalSteps, lastLoss);
                    lastCheckpoint = TrainingCheckpoint.Save(job.CheckpointFolder, saved, job.Trainable, optimizer, settings.KeepCheckpoints);
                    logger.LogDebug("Checkpoint {Checkpoint}", lastCheckpoint);
                }
                if (job.Evaluate is not null && settings.EvalEvery is { } evalEvery && step % evalEvery == 0 && !last)
                {
                    var scores = job.Evaluate(step);
                    model.train();
                    var evaluation = new JsonObject { ["study"] = job.Study, ["task"] = job.Task, ["step"] = step, ["event"] = "evaluation" };
                    foreach (var (name, value) in scores) evaluation[name] = value;
                    metrics.Write(evaluation);
                }
            }
        }
        finally
        {
            model.eval();
            observer.Finished();
        }
        double seconds = watch.Elapsed.TotalSeconds;
        return new TrainingSummary(step, examples, seconds, examples / Math.Max(1e-9, seconds), lastLoss, resumedAt);
    }

    /// <summary>The training windows a task's training uses, in order, each as often as used: what <see cref="Train"/> feeds, rebuilt from the seed.</summary>
    public static IReadOnlyList<int> SeenWindows(IReadOnlyList<int> lengths, TrainingSettings settings, int seed)
    {
        var cursor = new BatchCursor(lengths, settings, seed);
        var seen = new List<int>();
        for (int step = cursor.TotalSteps; step > 0; step--)
            foreach (var microBatch in cursor.NextStep()) seen.AddRange(microBatch);
        return seen;
    }

    /// <summary>The order of the features in one epoch: a Fisher-Yates shuffle seeded by (seed, epoch), the same on every machine.</summary>
    public static int[] EpochOrder(int count, int seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var random = new Random(unchecked(seed * 1_000_003 + epoch));
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
