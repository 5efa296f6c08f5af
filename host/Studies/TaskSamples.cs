using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using static TorchSharp.torch;

namespace PeftQa.Host.Studies;

/// <summary>A finished task's training windows, for learners that gather statistics (Fisher information, centroids, memory).</summary>
public sealed class TaskSamples(
    BertForQuestionAnswering model, int task, TaskData data, IReadOnlyList<int> seen, int padId, Device device) : ITaskSamples
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
                var windowsOfBatch = windows.Skip(from).Take(ClsBatchSize).Select(w => data.TrainFeatures[w]).ToList();
                using var batch = FeatureBatch.Collate(windowsOfBatch, padId, device);
                parts.Add(model.EncodeCls(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds).MoveToOuterDisposeScope());
            }
        var all = cat(parts, 0);
        foreach (var part in parts) part.Dispose();
        return all;
    }
}
