using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Host.Merging;

/// <summary>
/// Task arithmetic (Ilharco et al. 2023): the weighted sum of the task vectors (PEFT's <c>linear</c> on deltas,
/// <c>task_arithmetic</c>).
/// </summary>
public sealed class LinearMerge : IMergeMethod
{
    public string Name => "linear";

    public string Description => "Task arithmetic: the weighted sum of the adapters' deltas.";

    public Tensor Merge(IReadOnlyList<Tensor> deltas, IReadOnlyList<double> weights, MergeSettings settings, Generator generator)
    {
        using var stacked = stack(deltas);
        using var weighted = TaskVectorMath.Weighted(stacked, weights);
        return weighted.sum(0L);
    }
}
