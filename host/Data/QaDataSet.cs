namespace PeftQa.Host.Data;

/// <summary>A data set ready for feature building.</summary>
public sealed record QaDataSet(IReadOnlyList<QaExample> Examples, QaDataSummary Summary)
{
    /// <summary>Question ids that occur more than once in <paramref name="examples"/>, in file order.</summary>
    public static IReadOnlyList<string> RepeatedIds(IEnumerable<QaExample> examples) =>
        examples.GroupBy(e => e.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
}
