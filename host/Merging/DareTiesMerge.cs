using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Host.Merging;

/// <summary>DARE's random drop and rescale in place of TIES's trim, then TIES's sign election and disjoint mean (PEFT's <c>dare_ties</c>).</summary>
public sealed class DareTiesMerge : IMergeMethod
{
    public string Name => "dare_ties";

    public string Description => "DARE's random drop (rescaled), then TIES's sign election and mean of the agreeing entries.";

    public IReadOnlyList<string> Validate(MergeSettings settings) =>
        [.. MergeSettingChecks.Density(settings), .. MergeSettingChecks.MajoritySign(settings)];

    public Tensor Merge(IReadOnlyList<Tensor> deltas, IReadOnlyList<double> weights, MergeSettings settings, Generator generator)
    {
        using var scope = NewDisposeScope();
        var dropped = stack(deltas.Select(d => TaskVectorMath.PruneAtRandom(d, settings.Density, generator)).ToList());
        var agree = TaskVectorMath.MajoritySignMask(dropped, settings.MajoritySign);
        return TaskVectorMath.DisjointMean(TaskVectorMath.Weighted(dropped, weights), agree).MoveToOuterDisposeScope();
    }
}
