namespace PeftQa.Host.Data;

/// <summary>A data set ready for feature building.</summary>
public sealed record QaDataSet(IReadOnlyList<QaExample> Examples, QaDataSummary Summary);
