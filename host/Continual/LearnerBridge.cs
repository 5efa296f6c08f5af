using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
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

/// <summary>A finished task's training windows, for learners that gather statistics (Fisher information, centroids, memory).</summary>
public sealed class TaskSamples(BertForQuestionAnswering model, int task, TaskData data, IReadOnlyList<int> seen, int padId, Device device) : ITaskSamples
{
    private const int ClsBatchSize = 32;

    public int Task => task;

    public int Count => data.TrainFeatures.Count;

    public IReadOnlyList<int> SeenWindows => seen;

    public Tensor Loss(IReadOnlyList<int> windows)
    {
        model.eval();
        using var batch = FeatureBatch.Collate(windows.Select(w => data.TrainFeatures[w]).ToList(), padId, device);
        var (start, end) = model.Forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
        return BertForQuestionAnswering.Loss(start, end, batch.StartPositions, batch.EndPositions);
    }

    public Tensor Cls(IReadOnlyList<int> windows)
    {
        model.eval();
        var parts = new List<Tensor>();
        using (no_grad())
            for (int from = 0; from < windows.Count; from += ClsBatchSize)
            {
                using var scope = NewDisposeScope();
                using var batch = FeatureBatch.Collate(windows.Skip(from).Take(ClsBatchSize).Select(w => data.TrainFeatures[w]).ToList(), padId, device);
                parts.Add(model.EncodeCls(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds).MoveToOuterDisposeScope());
            }
        var all = cat(parts, 0);
        foreach (var part in parts) part.Dispose();
        return all;
    }
}

/// <summary>
/// Evaluation for learners that route by content: each window goes to the task whose centroid its base-encoder [CLS]
/// vector is nearest, and that task's adapter answers it. Counts how often the route was the evaluation set's own task.
/// </summary>
public sealed class ContentRouter(BertForQuestionAnswering model, IContinualLearner learner, int expectedTask)
{
    public int Windows { get; private set; }

    public int Correct { get; private set; }

    public (Tensor Start, Tensor End) Forward(FeatureBatch batch)
    {
        learner.Activate(null);
        var routes = learner.Route(model.EncodeCls(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds));
        Windows += routes.Length;
        Correct += routes.Count(r => r == expectedTask);
        var start = zeros(batch.InputIds.shape, device: batch.InputIds.device);
        var end = zeros(batch.InputIds.shape, device: batch.InputIds.device);
        foreach (var route in routes.Distinct().Order())
        {
            var rows = tensor(routes.Select((r, i) => (r, i)).Where(x => x.r == route).Select(x => (long)x.i).ToArray(), device: batch.InputIds.device);
            learner.Activate(route);
            var (routeStart, routeEnd) = model.Forward(batch.InputIds.index_select(0, rows), batch.AttentionMask.index_select(0, rows), batch.TokenTypeIds.index_select(0, rows));
            start.index_copy_(0, rows, routeStart);
            end.index_copy_(0, rows, routeEnd);
        }
        return (start, end);
    }
}
