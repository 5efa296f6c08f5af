using PeftQa.Host.Data;

namespace PeftQa.Tests.Support;

/// <summary>Training windows for the tiny model, without a tokenizer or data files.</summary>
public static class TinyFeatures
{
    /// <summary>Random windows over the tiny vocabulary with labels inside them, the same on every run.</summary>
    public static List<QaFeature> Windows(int count)
    {
        var random = new Random(3);
        return Enumerable.Range(0, count).Select(i =>
        {
            int length = random.Next(12, 30);
            var ids = Enumerable.Range(0, length).Select(_ => random.Next(4, 99)).ToArray();
            ids[0] = 2;
            int start = random.Next(6, length - 3);
            return new QaFeature(i, ids, 5, Enumerable.Range(0, length - 6).Select(t => (t, t + 1)).ToArray(), start, start + random.Next(0, 2));
        }).ToList();
    }
}
