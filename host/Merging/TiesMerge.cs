using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Host.Merging;

/// <summary>
/// TIES-Merging (Yadav et al. 2023), as PEFT's <c>ties</c>: trim each task vector to its top <c>density</c> entries by
/// magnitude, elect each entry's sign (<c>majoritySign</c>), and take the mean of the weighted entries that agree with it.
/// </summary>
public sealed class TiesMerge : IMergeMethod
{
    public string Name => "ties";

    public string Description => "TIES: trim each delta to its largest entries, elect a sign per entry, average the agreeing entries.";

    public IReadOnlyList<string> Validate(MergeSettings settings) =>
        [.. MergeSettingChecks.Density(settings), .. MergeSettingChecks.MajoritySign(settings)];

    public Tensor Merge(IReadOnlyList<Tensor> deltas, IReadOnlyList<double> weights, MergeSettings settings, Generator generator)
    {
        using var scope = NewDisposeScope();
        var trimmed = stack(deltas.Select(d => TaskVectorMath.PruneByMagnitude(d, settings.Density)).ToList());
        var agree = TaskVectorMath.MajoritySignMask(trimmed, settings.MajoritySign);
        return TaskVectorMath.DisjointMean(TaskVectorMath.Weighted(trimmed, weights), agree).MoveToOuterDisposeScope();
    }
}
