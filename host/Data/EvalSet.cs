namespace PeftQa.Host.Data;

/// <summary>An evaluation set: examples, their windows, and whether "no answer" is a valid prediction (SQuAD v2 data).</summary>
public sealed record EvalSet(string Name, IReadOnlyList<QaExample> Examples, IReadOnlyList<QaFeature> Features)
{
    public bool AllowNoAnswer => Examples.Any(e => e.IsImpossible);

    /// <summary>At most <paramref name="count"/> of the questions, a seeded sample kept in order, with their windows.</summary>
    public EvalSet Sample(int count, int seed)
    {
        if (count >= Examples.Count) return this;
        var random = new Random(seed);
        var chosen = Enumerable.Range(0, Examples.Count).OrderBy(_ => random.Next()).Take(count).Order().ToList();
        var newIndex = chosen.Select((old, index) => (old, index)).ToDictionary(p => p.old, p => p.index);
        var features = Features
            .Where(f => newIndex.ContainsKey(f.ExampleIndex))
            .Select(f => f with { ExampleIndex = newIndex[f.ExampleIndex] })
            .ToList();
        return new EvalSet($"{Name} (sample of {count})", chosen.Select(i => Examples[i]).ToList(), features);
    }
}
