namespace PeftQa.Abstractions;

/// <summary>The options every merge method reads the ones it needs from (<see cref="IMergeMethod"/>).</summary>
/// <param name="Density">
/// The fraction of each task vector's entries kept (<c>ties</c>, <c>magnitude_prune</c>: the largest by magnitude;
/// <c>dare_*</c>: a random draw, rescaled by 1/density). In (0, 1]; PEFT has no default, the TIES paper keeps 20%.
/// </param>
/// <param name="MajoritySign">
/// How TIES elects each entry's sign: <c>total</c> (the sign of the sum, PEFT's default) or <c>frequency</c> (the most
/// common sign).
/// </param>
/// <param name="Seed">Seeds DARE's random drops.</param>
/// <param name="Rank">
/// The rank <c>svd</c> truncates each merged matrix to; null: the largest rank among LoRA inputs (PEFT's default), else full.
/// </param>
public sealed record MergeSettings(
    double Density = MergeSettings.DefaultDensity, string MajoritySign = "total", int Seed = 0, int? Rank = null)
{
    public const double DefaultDensity = 0.2;

    /// <summary>
    /// The seed of <paramref name="parameter"/>'s generator: <see cref="Seed"/> and the parameter's name (FNV-1a), the same
    /// in every process and whatever order parameters are merged in.
    /// </summary>
    public ulong SeedFor(string parameter)
    {
        ulong hash = 14695981039346656037UL ^ (ulong)(uint)Seed;
        foreach (char c in parameter) hash = (hash ^ c) * 1099511628211UL;
        return hash;
    }

    /// <summary>The values <see cref="MajoritySign"/> takes.</summary>
    public static readonly IReadOnlyList<string> MajoritySigns = ["total", "frequency"];
}
