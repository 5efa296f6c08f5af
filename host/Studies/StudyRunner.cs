using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Foundation;
using PeftQa.Host.Training;
using static TorchSharp.torch;

namespace PeftQa.Host.Studies;

/// <summary>
/// Runs one study: a fresh copy of the base model with the study's adapter strategy, trained on each task in order and
/// evaluated on every task after each (the R matrix; the baseline before training is the run's, measured once). A
/// single-task recipe is a study of one task; a comparison is several studies over the same data. Progress is saved
/// after every task so <c>--resume</c> continues where it stopped.
/// </summary>
public sealed class StudyRunner(QaTrainer trainer, ILogger<StudyRunner> logger)
{
    /// <summary>
    /// Task i's adapters start from the seed study seed + (i + 1) x this: never the study's own seed (which drew the fresh
    /// QA head), and no two tasks of studies whose seeds are less than this apart share one.
    /// </summary>
    private const int AdapterSeedStride = 1000;

    public StudyResult Run(StudyPlan study, StudyContext context, CancellationToken cancellation) =>
        RunUntil(study, context, null, cancellation).Finished!;

    /// <summary>
    /// A halving rung: trains the study's one task up to <paramref name="steps"/> (from its checkpoint when an earlier
    /// rung trained part of it) and scores its validation questions there. A study that finishes on the way (its budget
    /// spent, or stopped early) comes back finished, scored by its result.
    /// </summary>
    public RungOutcome RunToStep(StudyPlan study, StudyContext context, int steps, CancellationToken cancellation)
    {
        if (context.Resume && RungScores.Load(StudyFolder.For(context.RunFolder, study.Label)).TryGetValue(steps, out var saved))
            return new RungOutcome(null, saved, steps);
        return RunUntil(study, context, steps, cancellation);
    }

    private RungOutcome RunUntil(StudyPlan study, StudyContext context, int? pauseAt, CancellationToken cancellation)
    {
        context = context.ForStudy(study);
        if (context.Resume && StudyFolder.LoadResult(context.RunFolder, study.Label) is { } finished)
        {
            logger.LogInformation("{Study}: already finished ({File})",
                study.Label, Path.Combine(StudyFolder.For(context.RunFolder, study.Label), RunFolderFiles.StudyResultFile));
            return new RungOutcome(finished, finished.Final, finished.Training.Sum(t => t.Steps));
        }
        try
        {
            var outcome = Train(study, context, pauseAt, cancellation);
            if (outcome.Finished is { } result) StudyFolder.SaveResult(context.RunFolder, result);
            return outcome;
        }
        catch (Exception e)
        {
            // Kept for peftqa status; a run of the study that finishes removes it.
            if (Directory.Exists(StudyFolder.For(context.RunFolder, study.Label)))
                StudyFolder.SaveFailure(context.RunFolder, study.Label, e is OperationCanceledException
                    ? $"{StopSignal.Describe()}; continue it with --resume" : $"{e.GetType().Name}: {e.Message}");
            throw;
        }
    }

    private RungOutcome Train(StudyPlan study, StudyContext context, int? pauseAt, CancellationToken cancellation)
    {
        using var session = StudySession.Start(study, context, logger);
        session.RecordBaseline();
        for (int i = 0; i < context.Tasks.Count; i++)
        {
            // Seeded per task, so adapters a task attaches start the same whether or not the study was resumed.
            manual_seed(study.Seed + AdapterSeedStride * (i + 1));
            var trainable = session.Learner.BeginTask(i);
            if (i == 0) session.CountParameters(trainable);
            if (i < session.State.CompletedTasks)
            {
                session.SkipFinishedTask(i);
                continue;
            }
            var summary = session.AdoptReusedTraining(i) ?? TrainTask(session, i, trainable, pauseAt, cancellation);
            if (summary.Paused) return Paused(session, i, summary.Steps, cancellation);
            var evaluation = new StudyEvaluation(session, context, logger);
            session.FinishTask(i, summary, evaluation.EvaluateAll($"after training on {context.Tasks[i].Name}", i, cancellation));
        }
        var result = session.Result();
        StudyFolder.ClearFailure(context.RunFolder, study.Label);
        return new RungOutcome(result, result.Final, result.Training.Sum(t => t.Steps));
    }

    /// <summary>A rung's end: the validation scores at the pause, kept in the study's folder for a resumed selection.</summary>
    private RungOutcome Paused(StudySession session, int task, int steps, CancellationToken cancellation)
    {
        var scores = ValidationScores(session, task, cancellation);
        RungScores.Save(session.Folder, steps, scores);
        logger.LogInformation("{Study}: paused at step {Steps}: validation {Scores}",
            session.Study.Label, steps, string.Join(", ", scores.Select(s => $"{s.Key} {s.Value:F2}")));
        return new RungOutcome(null, scores, steps);
    }

    /// <summary>
    /// The task's validation questions scored by the adapter being trained (early stopping's and a rung's score): the
    /// task's own adapter, whatever the learner's routing at evaluation.
    /// </summary>
    private static IReadOnlyDictionary<string, double> ValidationScores(StudySession session, int task, CancellationToken cancellation)
    {
        var context = session.Context;
        var validation = context.Tasks[task].Validation ?? context.Tasks[task].Eval;
        session.Learner.Activate(task);
        return QaEvaluator.Evaluate(session.Model, validation, context.Metrics, context.Evaluation, context.Tokenizer.PadId, context.Device,
            cancellation).Scores;
    }

    /// <summary>The learning curve's probe: the same seeded sample of the task's questions for every study, scored by the study's model.</summary>
    private static CurveProbe? CurveProbe(StudySession session, TaskData task, CancellationToken cancellation)
    {
        var context = session.Context;
        if (context.Evaluation.Curve is not { } curve) return null;
        var sample = task.Eval.Sample(curve.Questions, session.Study.Seed);
        return new CurveProbe(curve.Every, () =>
            QaEvaluator.Evaluate(
                session.Model, sample, context.Metrics, context.Evaluation, context.Tokenizer.PadId, context.Device, cancellation).Scores);
    }

    private static TrainingDataUsed? DataUsed(TaskData task, StudyTaskPlan plan) =>
        task.Sample is { } set && plan.Sample is { } sample
            ? new TrainingDataUsed(sample.Size, sample.Seed, set.SampledQuestions, set.Train.Examples.Count, set.Features.Count, set.Augmentation,
                sample.Size is null ? null : set.SampledIds, set.WindowSeconds)
            : null;

    private TrainingSummary TrainTask(
        StudySession session, int i, IReadOnlyList<NamedParameter> trainable, int? pauseAt, CancellationToken cancellation)
    {
        var (study, context, task, plan) = (session.Study, session.Context, session.Context.Tasks[i], session.Study.Tasks[i]);
        session.Learner.BeforeTraining(i);
        var job = new TrainingJob(study.Label, task.Name, task.TrainFeatures, trainable, plan.Settings, plan.LearningRate, plan.Seed,
            session.CheckpointFolder(i),
            context.Resume,
            step => QaEvaluator.Evaluate(
                session.Model, task.Eval, context.Metrics, context.Evaluation, context.Tokenizer.PadId, context.Device, cancellation).Scores,
            new LearnerTrainingHooks(session.Learner, i, context.EvaluatedTasks, session.Model, context.Tokenizer.PadId, context.Device),
            CurveProbe(session, task, cancellation))
        {
            Validate = plan.Settings.EarlyStopping is null || task.Validation is null ? null : () => ValidationScores(session, i, cancellation),
            PauseAt = pauseAt,
        };
        var summary = trainer.Train(session.Model, job, context.Tokenizer.PadId, context.Device, session.Metrics, context.Observer, cancellation)
            with { Data = DataUsed(task, plan) };
        if (summary.Paused) return summary;
        logger.LogInformation("{Study}: trained on {Task}: {Steps} steps, {Examples:N0} windows in {Seconds:F0} s " +
                              "({Rate:F1} windows/s), last loss {Loss:F3}",
            study.Label, task.Name, summary.Steps, summary.Examples, summary.Seconds, summary.ExamplesPerSecond, summary.FinalLoss);
        var seen = BatchCursor.SeenWindows(task.TrainFeatures.Select(f => f.Length).ToArray(), plan.Settings, plan.Seed, summary.Steps);
        session.Learner.EndTask(i, new TaskSamples(session.Model, i, task, seen, context.Tokenizer.PadId, context.Device));
        return summary;
    }
}
