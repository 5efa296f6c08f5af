using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Host.Merging;

/// <summary>Each task vector keeps its top <c>density</c> entries by magnitude, then the weighted sum (PEFT's <c>magnitude_prune</c>).</summary>
public sealed class MagnitudePruneMerge : IMergeMethod
{
    public string Name => "magnitude_prune";

    public string Description => "Each delta keeps its largest entries (density), then the weighted sum.";

    public IReadOnlyList<string> Validate(MergeSettings settings) => MergeSettingChecks.Density(settings);

    public Tensor Merge(IReadOnlyList<Tensor> deltas, IReadOnlyList<double> weights, MergeSettings settings, Generator generator)
    {
        using var scope = NewDisposeScope();
        var stacked = stack(deltas.Select(d => TaskVectorMath.PruneByMagnitude(d, settings.Density)).ToList());
        return TaskVectorMath.Weighted(stacked, weights).sum(0L).MoveToOuterDisposeScope();
    }
}
