using static TorchSharp.torch;

namespace PeftQa.Host.Merging;

/// <summary>
/// The steps the bundled merge methods share, as Hugging Face PEFT's <c>utils/merge_utils.py</c> defines them: pruning
/// a task vector by magnitude or at random, electing each entry's sign, and the disjoint mean over the agreeing entries.
/// </summary>
public static class TaskVectorMath
{
    /// <summary>The task vectors stacked [n, ...], each times its weight.</summary>
    public static Tensor Weighted(Tensor stacked, IReadOnlyList<double> weights)
    {
        var shape = new long[stacked.dim()];
        Array.Fill(shape, 1L);
        shape[0] = weights.Count;
        using var w = tensor(weights.ToArray(), dtype: stacked.dtype, device: stacked.device).view(shape);
        return stacked * w;
    }

    /// <summary>
    /// Keeps the int(density * numel) entries largest in magnitude and zeroes the rest (PEFT's
    /// <c>magnitude_based_pruning</c>); density 1 keeps everything.
    /// </summary>
    public static Tensor PruneByMagnitude(Tensor delta, double density)
    {
        if (density >= 1) return delta.clone();
        long keep = (long)(density * delta.numel());
        using var flat = delta.reshape(-1);
        var mask = zeros_like(flat);
        if (keep > 0)
        {
            using var magnitudes = flat.abs();
            var (values, indexes) = magnitudes.topk((int)keep);
            using (values)
            using (indexes)
                mask.index_fill_(0, indexes, 1);
        }
        using (mask) return (flat * mask).reshape(delta.shape);
    }

    /// <summary>
    /// DARE's drop: each entry kept with probability <paramref name="density"/> and then divided by it, so the pruned
    /// vector equals the original in expectation (Yu et al. 2024). PEFT's <c>random_pruning</c> computes the division and
    /// discards its result, so PEFT's <c>dare_*</c> do not rescale; this does, as the paper does.
    /// </summary>
    public static Tensor PruneAtRandom(Tensor delta, double density, Generator generator)
    {
        if (density >= 1) return delta.clone();
        using var probabilities = full_like(delta, density);
        using var mask = probabilities.bernoulli(generator);
        return (delta * mask).div_(density);
    }

    /// <summary>
    /// Per entry, whether each task vector's sign is the elected one [n, ...] (PEFT's <c>calculate_majority_sign_mask</c>):
    /// the sign of the sum (<c>total</c>) or of the sum of signs (<c>frequency</c>), ties counted positive. A zero entry
    /// (pruned) agrees with no sign.
    /// </summary>
    public static Tensor MajoritySignMask(Tensor stacked, string method)
    {
        using var sign = stacked.sign();
        using var mass = method == "frequency" ? sign.sum(0L) : stacked.sum(0L);
        using var elected = where(mass >= 0, 1, -1).to(sign.dtype);
        return sign == elected;
    }

    /// <summary>
    /// The sum of the agreeing entries divided by how many agree, at least 1 (PEFT's <c>disjoint_merge</c>): entries no
    /// task vector agrees on stay 0.
    /// </summary>
    public static Tensor DisjointMean(Tensor weightedStacked, Tensor agreeMask)
    {
        using var agreeing = weightedStacked * agreeMask;
        using var total = agreeing.sum(0L);
        using var count = agreeMask.sum(0L).to(weightedStacked.dtype).clamp_min(1);
        return total / count;
    }
}
