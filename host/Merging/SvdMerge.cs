using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Host.Merging;

/// <summary>
/// The weighted sum of the task vectors with each matrix truncated to <c>rank</c> by its singular value decomposition
/// (PEFT's <c>svd</c>, which then stores the two factors as a LoRA pair); vectors (biases) are summed as they are.
/// </summary>
public sealed class SvdMerge : IMergeMethod
{
    public string Name => "svd";

    public string Description => "The weighted sum of the deltas, each matrix truncated to a rank by SVD (a LoRA of that rank).";

    public IReadOnlyList<string> Validate(MergeSettings settings) =>
        settings.Rank is <= 0 ? [$"rank: expected a positive integer, got {settings.Rank}"] : [];

    public Tensor Merge(IReadOnlyList<Tensor> deltas, IReadOnlyList<double> weights, MergeSettings settings, Generator generator)
    {
        using var scope = NewDisposeScope();
        var sum = TaskVectorMath.Weighted(stack(deltas), weights).sum(0L);
        if (sum.dim() != 2) return sum.MoveToOuterDisposeScope();
        var (b, a) = Factors(sum, settings.Rank ?? (int)Math.Min(sum.shape[0], sum.shape[1]));
        return b.matmul(a).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// B [out, rank] = U S and A [rank, in] = Vh of the delta's truncated SVD, so B A is its best rank-<paramref name="rank"/>
    /// approximation; computed in fp64 so that full rank gives back the delta to fp32 precision.
    /// </summary>
    public static (Tensor B, Tensor A) Factors(Tensor delta, int rank)
    {
        using var scope = NewDisposeScope();
        var (u, s, vh) = linalg.svd(delta.to(ScalarType.Float64), fullMatrices: false);
        int kept = (int)Math.Min(rank, s.shape[0]);
        var b = (u.narrow(1, 0, kept) * s.narrow(0, 0, kept)).to(delta.dtype);
        var a = vh.narrow(0, 0, kept).to(delta.dtype);
        return (b.MoveToOuterDisposeScope(), a.MoveToOuterDisposeScope());
    }
}
