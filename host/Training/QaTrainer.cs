using Microsoft.Extensions.Logging;
using PeftQa.Host.Modeling;
using static TorchSharp.torch;

namespace PeftQa.Host.Training;

/// <summary>
/// Fine-tunes a QA model: AdamW with decoupled weight decay (none on biases and LayerNorm weights) over the trainable
/// parameters only, each at its learning-rate scale, linear warm-up then linear decay, gradient clipping, gradient
/// accumulation, seeded shuffling. Checkpoints hold the trainable weights, optimizer state, step, data position and RNG
/// state, so a resumed run continues exactly where the interrupted one was: the same recipe and seed give the same
/// numbers on CPU.
/// </summary>
public sealed class QaTrainer(ILogger<QaTrainer> logger)
{
    public TrainingSummary Train(BertForQuestionAnswering model, TrainingJob job, int padId, Device device, MetricsLog metrics,
        ITrainingObserver observer, CancellationToken cancellation)
    {
        // Training starts from what is live, not from the peak of the evaluation before it (NativeMemory).
        NativeMemory.ReturnFreedPages();
        var lengths = job.Features.Select(f => f.Length).ToArray();
        int totalSteps = new BatchCursor(lengths, job.Settings, job.Seed).TotalSteps;
        using var trainingStep = new TrainingStep(model, job.Trainable, job.Settings, padId, device, job.Hooks);
        var state = StartOrResume(job, trainingStep, totalSteps, metrics);
        var run = new TrainingRun(job, state, totalSteps, lengths, trainingStep, metrics, observer,
            TrainingCheckpoint.Latest(job.CheckpointFolder), logger);
        // Killed after its last checkpoint, before the study recorded the task: the loop has nothing left to do.
        if (!run.Done) TrainSteps(model, run, job, state.Step, totalSteps, observer, cancellation);
        run.KeepBestWeights();
        return run.Summary();
    }

    private static void TrainSteps(BertForQuestionAnswering model, TrainingRun run, TrainingJob job, int fromStep, int totalSteps,
        ITrainingObserver observer, CancellationToken cancellation)
    {
        model.train();
        observer.Started($"{job.Study} / {job.Task}", totalSteps, fromStep);
        try
        {
            while (!run.Done)
            {
                if (cancellation.IsCancellationRequested) run.CheckpointBeforeStopping();
                cancellation.ThrowIfCancellationRequested();
                run.TakeStep();
                run.LogProgress();
                // Scores before the checkpoint: a run killed between them redoes the step and writes them again.
                if (run.ValidateIfDue()) model.train();
                if (run.EvaluateIfDue()) model.train();
                if (run.ScoreCurveIfDue()) model.train();
                run.CheckpointIfDue();
            }
        }
        finally
        {
            model.eval();
            observer.Finished();
        }
    }

    /// <summary>
    /// A fresh state seeded with the job's seed, or the latest checkpoint's when resuming (weights, optimizer, RNG,
    /// metrics log cut to its step).
    /// </summary>
    private TrainerState StartOrResume(TrainingJob job, TrainingStep trainingStep, int totalSteps, MetricsLog metrics)
    {
        manual_seed(job.Seed);
        var state = new TrainerState(0, 0, 0, job.Seed, TrainingCheckpoint.EncodeRng(), totalSteps, double.NaN);
        if (!job.Resume) return state;
        if (TrainingCheckpoint.Latest(job.CheckpointFolder) is not { } checkpoint)
        {
            // Killed before its first checkpoint: the task starts again, so what that attempt logged goes.
            metrics.TruncateAfter(job.Study, job.Task, 0);
            return state;
        }
        state = TrainingCheckpoint.Load(checkpoint, job.Trainable, trainingStep.Optimizer);
        TrainingCheckpoint.RestoreRng(state.RngState);
        metrics.TruncateAfter(job.Study, job.Task, state.Step);
        logger.LogInformation("Resuming {Study}/{Task} from {Checkpoint} (step {Step} of {Total})",
            job.Study, job.Task, checkpoint, state.Step, totalSteps);
        return state;
    }
}
