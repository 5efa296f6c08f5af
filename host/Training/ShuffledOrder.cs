namespace PeftQa.Host.Training;

/// <summary>
/// The order of a task's windows in one epoch without length grouping: a Fisher-Yates shuffle seeded by (seed, epoch),
/// the same on every machine.
/// </summary>
public static class ShuffledOrder
{
    /// <summary>
    /// A prime larger than any epoch count: each (seed, epoch) gets its own random stream, and seeds next to each other
    /// (a run's several seeds) do not give streams that are the same a few epochs apart.
    /// </summary>
    private const int EpochSeedStride = 1_000_003;

    /// <summary>The seed of the stream that orders epoch <paramref name="epoch"/> of a task seeded with <paramref name="seed"/>.</summary>
    public static int RandomSeed(int seed, int epoch) => unchecked(seed * EpochSeedStride + epoch);

    public static int[] For(int count, int seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var random = new Random(RandomSeed(seed, epoch));
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
