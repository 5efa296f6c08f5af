using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PeftQa.Host.Data;
using PeftQa.Host.Evaluation;

namespace PeftQa.Host.Training;

/// <summary>
/// One training stage in progress, step by step: the position in the data, the learning-rate schedule, what the log
/// has seen since it last wrote, and the newest checkpoint (named when the loss diverges).
/// </summary>
internal sealed class TrainingRun
{
    private readonly TrainingJob job;
    private readonly int totalSteps;
    private readonly TrainingStep trainingStep;
    private readonly MetricsLog metrics;
    private readonly ITrainingObserver observer;
    private readonly ILogger logger;
    private readonly LearningRateSchedule schedule;
    private readonly BatchCursor cursor;
    private readonly int resumedAt;

    /// <summary>Where training stops this time: the budget, or a halving rung's pause before it.</summary>
    private readonly int limit;
    private readonly EarlyStopping? stopping;

    /// <summary>What the checkpoint a resumed run starts from had trained, so the summary counts the whole task.</summary>
    private readonly long examplesBefore;
    private readonly Stopwatch watch = Stopwatch.StartNew();
    private readonly Stopwatch logWatch = Stopwatch.StartNew();
    private readonly Stopwatch evaluationWatch = new();
    private readonly double trainingSecondsBefore;
    private string? lastCheckpoint;
    private int step;
    private int? checkpointedStep;
    private long examples, examplesSinceLog;
    private double lossSinceLog, lastLoss, learningRate;
    private int stepsSinceLog;
    private double? lastPenalty;

    public TrainingRun(TrainingJob job, TrainerState state, int totalSteps, IReadOnlyList<int> lengths, TrainingStep trainingStep, MetricsLog metrics,
        ITrainingObserver observer, string? lastCheckpoint, ILogger logger)
    {
        this.job = job;
        this.totalSteps = totalSteps;
        this.trainingStep = trainingStep;
        this.metrics = metrics;
        this.observer = observer;
        this.lastCheckpoint = lastCheckpoint;
        this.logger = logger;
        schedule = new LearningRateSchedule(job.LearningRate, (int)Math.Round(job.Settings.WarmupRatio * totalSteps), totalSteps);
        cursor = new BatchCursor(lengths, job.Settings, job.Seed, state.Epoch, state.BatchInEpoch);
        step = resumedAt = state.Step;
        lastLoss = state.LastLoss;
        trainingSecondsBefore = state.TrainingSeconds;
        examplesBefore = state.Examples;
        (lossSinceLog, stepsSinceLog) = (state.LossSinceLog, state.StepsSinceLog);
        limit = Math.Min(totalSteps, job.PauseAt ?? totalSteps);
        if (job.Settings.EarlyStopping is { } earlyStopping && job.Validate is not null)
            stopping = new EarlyStopping(earlyStopping, state.EarlyStopping);
    }

    public bool Done => step >= limit || Stopped;

    private bool Stopped => stopping?.Stopped == true;

    /// <summary>The task's training ends at this step: its budget is spent or early stopping stopped it.</summary>
    private bool Last => step == totalSteps || Stopped;

    /// <summary>Stopped at a halving rung, to go on later.</summary>
    private bool Paused => step < totalSteps && !Stopped;

    /// <summary>Seconds spent training so far, evaluations excluded, including the time before a resume.</summary>
    private double TrainingSeconds => trainingSecondsBefore + (watch.Elapsed - evaluationWatch.Elapsed).TotalSeconds;

    /// <exception cref="TrainingDivergedException">The loss is NaN or infinite; the message names the step and the last good checkpoint.</exception>
    public void TakeStep()
    {
        learningRate = schedule.At(step);
        var microBatches = cursor.NextStep().Select(b => (IReadOnlyList<QaFeature>)b.Select(i => job.Features[i]).ToList()).ToList();
        var outcome = trainingStep.Take(microBatches, step, learningRate);
        if (!double.IsFinite(outcome.Loss))
            throw new TrainingDivergedException($"{job.Study}/{job.Task}: the loss became {outcome.Loss} at step {step + 1}; " +
                (lastCheckpoint is null ? "no checkpoint was written yet" : $"the last good checkpoint is {lastCheckpoint}") +
                $". Lower the learning rate (now {job.LearningRate}) or raise warmupRatio.");
        int stepExamples = microBatches.Sum(b => b.Count);
        step++;
        examples += stepExamples;
        examplesSinceLog += stepExamples;
        lossSinceLog += outcome.Loss;
        stepsSinceLog++;
        lastLoss = outcome.Loss;
        lastPenalty = outcome.Penalty;
        observer.Advanced(step, outcome.Loss);
    }

    public void LogProgress()
    {
        if (step % job.Settings.LogEvery != 0 && !Last) return;
        double rate = examplesSinceLog / Math.Max(1e-9, logWatch.Elapsed.TotalSeconds);
        var elapsed = watch.Elapsed;
        var remaining = TimeSpan.FromSeconds(elapsed.TotalSeconds / (step - resumedAt) * (totalSteps - step));
        var report = new StepReport(step, totalSteps, cursor.Epoch, lossSinceLog / stepsSinceLog, learningRate, rate, elapsed, remaining);
        observer.Stepped(report);
        var line = new JsonObject
        {
            ["study"] = job.Study,
            ["task"] = job.Task,
            ["step"] = step,
            ["epoch"] = Math.Round(cursor.Epoch + (double)cursor.BatchInEpoch / cursor.MicroBatchesPerEpoch, 4),
            ["loss"] = report.Loss,
            ["learning_rate"] = learningRate,
            ["examples_per_second"] = Math.Round(rate, 3),
            ["elapsed_seconds"] = Math.Round(elapsed.TotalSeconds, 2),
        };
        if (lastPenalty is { } penalty) line["penalty"] = Math.Round(penalty, 6);
        metrics.Write(line);
        (lossSinceLog, stepsSinceLog, examplesSinceLog) = (0, 0, 0);
        logWatch.Restart();
    }

    public void CheckpointIfDue()
    {
        if ((job.Settings.CheckpointEvery is not { } every || step % every != 0) && !Last && step != limit) return;
        Checkpoint();
    }

    /// <summary>
    /// Asked to stop (a signal) between two steps, a safe point: saves the steps trained since the last checkpoint, so
    /// <c>--resume</c> continues from here, exactly as from any checkpoint.
    /// </summary>
    public void CheckpointBeforeStopping()
    {
        if (step == resumedAt || checkpointedStep == step) return;
        Checkpoint();
        logger.LogInformation("Stopping: {Study}/{Task} saved at step {Step} ({Checkpoint})", job.Study, job.Task, step, lastCheckpoint);
    }

    private void Checkpoint()
    {
        checkpointedStep = step;
        var saved = new TrainerState(step, cursor.Epoch, cursor.BatchInEpoch, job.Seed, TrainingCheckpoint.EncodeRng(), totalSteps, lastLoss,
            TrainingSeconds, examplesBefore + examples, lossSinceLog, stepsSinceLog, stopping?.State);
        lastCheckpoint = TrainingCheckpoint.Save(job.CheckpointFolder, saved, job.Trainable, trainingStep.Optimizer, job.Settings.KeepCheckpoints);
        logger.LogDebug("Checkpoint {Checkpoint}", lastCheckpoint);
    }

    /// <summary>Evaluates mid-training when evalEvery says so (not at the last step: the study evaluates then); true if it did.</summary>
    public bool EvaluateIfDue()
    {
        if (job.Evaluate is null || job.Settings.EvalEvery is not { } evalEvery || step % evalEvery != 0 || Last) return false;
        WriteScores("evaluation", () => job.Evaluate(step), []);
        return true;
    }

    /// <summary>
    /// Scores the validation questions when early stopping is due, keeps the weights of a new best and decides whether to
    /// stop; true if it scored.
    /// </summary>
    public bool ValidateIfDue()
    {
        if (stopping is null || !stopping.IsDue(step, totalSteps)) return false;
        var line = new JsonObject { ["study"] = job.Study, ["task"] = job.Task, ["step"] = step, ["event"] = "validation" };
        evaluationWatch.Start();
        var scores = job.Validate!();
        evaluationWatch.Stop();
        foreach (var (name, value) in scores) line[name] = value;
        double score = MetricScores.Of(scores, stopping.Settings.Metric);
        var decision = stopping.Observe(step, score);
        line["best_step"] = stopping.State.BestStep;
        metrics.Write(line);
        if (decision.IsBest && stopping.Settings.KeepBest) TrainingCheckpoint.SaveBest(job.CheckpointFolder, step, job.Trainable);
        logger.LogInformation("{Study}/{Task} step {Step}: validation {Metric} {Score:F2} (best {Best:F2} at step {BestStep})",
            job.Study, job.Task, step, stopping.Settings.Metric, score, stopping.State.BestScore,
            stopping.State.BestStep);
        if (decision.Stop) RecordStop();
        return true;
    }

    private void RecordStop()
    {
        metrics.Write(new JsonObject
        {
            ["study"] = job.Study, ["task"] = job.Task, ["step"] = step, ["event"] = "early_stop",
            ["best_step"] = stopping!.State.BestStep, ["reason"] = stopping.PatienceReason,
        });
        logger.LogInformation("{Study}/{Task}: early stopping at step {Step} of {Total}: {Reason}; best step {BestStep}",
            job.Study, job.Task, step, totalSteps, stopping.PatienceReason, stopping.State.BestStep);
    }

    /// <summary>
    /// At the task's end with <c>keepBest</c>: the weights of the best validation step replace the last step's (nothing
    /// at a rung's pause, which goes on from the last step).
    /// </summary>
    public void KeepBestWeights()
    {
        if (Paused || stopping is not { Settings.KeepBest: true } || stopping.State.BestStep is not { } best || best == step) return;
        TrainingCheckpoint.LoadBest(job.CheckpointFolder, best, job.Trainable);
        logger.LogInformation("{Study}/{Task}: going on with the weights of step {Best} (validation {Metric} {Score:F2}), not step {Step}",
            job.Study, job.Task, best, stopping.Settings.Metric, stopping.State.BestScore, step);
    }

    /// <summary>Scores the learning curve's sample when its interval says so and at the last step; true if it did.</summary>
    public bool ScoreCurveIfDue()
    {
        if (job.Curve is not { } curve || (step % curve.Every != 0 && !Last)) return false;
        WriteScores("curve", curve.Score, [new("training_seconds", Math.Round(TrainingSeconds, 2))]);
        return true;
    }

    /// <summary>One metrics.jsonl line of scores at this step; the time they take is kept out of the training seconds.</summary>
    private void WriteScores(string kind, Func<IReadOnlyDictionary<string, double>> score, KeyValuePair<string, JsonNode?>[] extra)
    {
        var line = new JsonObject { ["study"] = job.Study, ["task"] = job.Task, ["step"] = step, ["event"] = kind };
        foreach (var (name, value) in extra) line[name] = value;
        evaluationWatch.Start();
        foreach (var (name, value) in score()) line[name] = value;
        evaluationWatch.Stop();
        metrics.Write(line);
    }

    /// <summary>The whole task's training, before and after a resume: windows, seconds and their rate.</summary>
    public TrainingSummary Summary()
    {
        double seconds = trainingSecondsBefore + watch.Elapsed.TotalSeconds;
        long total = examplesBefore + examples;
        return new TrainingSummary(step, total, seconds, total / Math.Max(1e-9, seconds), lastLoss, resumedAt)
        {
            BudgetSteps = totalSteps,
            Paused = Paused,
            EarlyStopping = stopping is null || Paused ? null : Outcome(stopping),
        };
    }

    private EarlyStopOutcome Outcome(EarlyStopping early)
    {
        var state = early.State;
        bool kept = early.Settings.KeepBest && state.BestStep is not null;
        return new EarlyStopOutcome(early.Settings.Metric, step, state.BestStep, state.BestScore, kept,
            early.Stopped ? "patience" : "budget",
            early.Stopped ? early.PatienceReason : $"the budget of {totalSteps} steps ran out first", state.Points);
    }
}
