namespace PeftQa.Host.Data;

/// <summary>A task's data, read, validated, limited and turned into windows once per run and shared by every study.</summary>
public sealed record TaskData(string Name, QaDataSet Train, IReadOnlyList<QaFeature> TrainFeatures, EvalSet Eval);
