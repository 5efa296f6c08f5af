namespace PeftQa.Host.Training;

/// <summary>
/// Hugging Face's <c>group_by_length</c> for one epoch: the seeded shuffle cut into mega-batches (up to 50 batches each),
/// each sorted by window length, longest first, and cut into batches; then the batches themselves are shuffled, so
/// a batch holds windows of similar length (little padding) while the order of batches stays random. Only the last batch
/// of the epoch may be short, so the order still cuts into batches at every <c>batchSize</c> windows.
/// </summary>
public static class LengthGroupedOrder
{
    private const int MaxBatchesPerMegaBatch = 50;

    /// <summary>
    /// Added to the epoch's seed for the shuffle of the batches, so it draws from a stream of its own rather than
    /// repeating the swaps that shuffled the windows.
    /// </summary>
    private const int BatchShuffleSalt = 500_009;

    public static int[] For(IReadOnlyList<int> lengths, int batchSize, int seed, int epoch)
    {
        var shuffled = ShuffledOrder.For(lengths.Count, seed, epoch);
        int megaBatch = batchSize * Math.Clamp(lengths.Count / (batchSize * 4), 1, MaxBatchesPerMegaBatch);
        var batches = new List<int[]>();
        for (int from = 0; from < shuffled.Length; from += megaBatch)
        {
            var sorted = shuffled.AsSpan(from, Math.Min(megaBatch, shuffled.Length - from)).ToArray()
                .Select((window, position) => (Window: window, Position: position))
                .OrderByDescending(w => lengths[w.Window]).ThenBy(w => w.Position)
                .Select(w => w.Window).ToArray();
            batches.AddRange(sorted.Chunk(batchSize));
        }
        return ShuffleBatches(batches, batchSize, seed, epoch).SelectMany(b => b).ToArray();
    }

    /// <summary>A seeded Fisher-Yates shuffle of the batches, the one short batch (if any) moved to the end.</summary>
    private static List<int[]> ShuffleBatches(List<int[]> batches, int batchSize, int seed, int epoch)
    {
        var random = new Random(unchecked(ShuffledOrder.RandomSeed(seed, epoch) + BatchShuffleSalt));
        for (int i = batches.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (batches[i], batches[j]) = (batches[j], batches[i]);
        }
        int shortBatch = batches.FindIndex(b => b.Length < batchSize);
        if (shortBatch >= 0)
        {
            var last = batches[shortBatch];
            batches.RemoveAt(shortBatch);
            batches.Add(last);
        }
        return batches;
    }
}
