using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Training;
using static TorchSharp.torch;

namespace PeftQa.Host.Studies;

/// <summary>A continual learner's replay, penalties and gradient changes, as the trainer sees them for one task.</summary>
/// <param name="tasks">Every task a <see cref="WindowRef"/> may name: the trained tasks in order, then the retention tasks (their memory).</param>
public sealed class LearnerTrainingHooks(
    IContinualLearner learner, int task, IReadOnlyList<TaskData> tasks, BertForQuestionAnswering model, int padId, Device device)
    : ITrainingHooks
{
    public IReadOnlyList<QaFeature> ExtraWindows(int batch) => learner.ReplayWindows(task, batch).Select(Feature).ToList();

    public Tensor? Penalty() => learner.Penalty();

    public BatchPenaltyTerm? BatchPenalty(FeatureBatch batch) => learner.BatchPenalty(new TrainingBatch(task, batch, model));

    public void AdjustGradients(int step, IReadOnlyList<NamedParameter> trainable) =>
        learner.AdjustGradients(new GradientStep(task, step, trainable, this));

    private QaFeature Feature(WindowRef window) => tasks[window.Task].TrainFeatures[window.Window];

    /// <summary>The mean span loss over windows of any task, without dropout, recording gradients; training mode is restored after.</summary>
    private Tensor Loss(IReadOnlyList<WindowRef> windows)
    {
        model.eval();
        try
        {
            using var batch = FeatureBatch.Collate(windows.Select(Feature).ToList(), padId, device);
            var (start, end) = model.Forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
            return BertForQuestionAnswering.Loss(start, end, batch.StartPositions, batch.EndPositions);
        }
        finally { model.train(); }
    }

    private sealed class TrainingBatch(int task, FeatureBatch batch, BertForQuestionAnswering model) : ITrainingBatch
    {
        public int Task => task;

        public Tensor AttentionMask => batch.AttentionMask;

        public (Tensor Start, Tensor End) ForwardWithoutDropout()
        {
            model.eval();
            try
            {
                using var _ = no_grad();
                return model.Forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
            }
            finally { model.train(); }
        }
    }

    private sealed class GradientStep(int task, int step, IReadOnlyList<NamedParameter> trainable, LearnerTrainingHooks hooks) : IGradientStep
    {
        public int Task => task;

        public int Step => step;

        public IReadOnlyList<NamedParameter> Trainable => trainable;

        public Tensor Loss(IReadOnlyList<WindowRef> windows) => hooks.Loss(windows);
    }
}
