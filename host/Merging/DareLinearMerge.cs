using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Host.Merging;

/// <summary>
/// DARE (Yu et al. 2024) then task arithmetic: each entry kept with probability <c>density</c> and rescaled by 1/density,
/// then the weighted sum.
/// </summary>
public sealed class DareLinearMerge : IMergeMethod
{
    public string Name => "dare_linear";

    public string Description => "DARE: drop entries at random (keep density, rescale by 1/density), then the weighted sum.";

    public IReadOnlyList<string> Validate(MergeSettings settings) => MergeSettingChecks.Density(settings);

    public Tensor Merge(IReadOnlyList<Tensor> deltas, IReadOnlyList<double> weights, MergeSettings settings, Generator generator)
    {
        using var scope = NewDisposeScope();
        var dropped = stack(deltas.Select(d => TaskVectorMath.PruneAtRandom(d, settings.Density, generator)).ToList());
        return TaskVectorMath.Weighted(dropped, weights).sum(0L).MoveToOuterDisposeScope();
    }
}
