namespace PeftQa.Host.Training;

/// <summary>The order of a task's windows in one epoch without length grouping: a Fisher-Yates shuffle seeded by (seed, epoch), the same on every machine.</summary>
public static class ShuffledOrder
{
    public static int[] For(int count, int seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var random = new Random(unchecked(seed * 1_000_003 + epoch));
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
