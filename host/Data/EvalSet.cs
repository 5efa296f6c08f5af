namespace PeftQa.Host.Data;

/// <summary>An evaluation set: examples, their windows, and whether "no answer" is a valid prediction (SQuAD v2 data).</summary>
public sealed record EvalSet(string Name, IReadOnlyList<QaExample> Examples, IReadOnlyList<QaFeature> Features)
{
    public bool AllowNoAnswer => Examples.Any(e => e.IsImpossible);
}
