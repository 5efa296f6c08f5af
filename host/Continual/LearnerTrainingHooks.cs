using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Training;
using static TorchSharp.torch;

namespace PeftQa.Host.Continual;

/// <summary>A continual learner's replay and penalty, as the trainer sees them for one task.</summary>
public sealed class LearnerTrainingHooks(IContinualLearner learner, int task, IReadOnlyList<TaskData> tasks) : ITrainingHooks
{
    public IReadOnlyList<QaFeature> ExtraWindows(int batch) =>
        learner.ReplayWindows(task, batch).Select(r => tasks[r.Task].TrainFeatures[r.Window]).ToList();

    public Tensor? Penalty() => learner.Penalty();
}
