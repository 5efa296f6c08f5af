using PeftQa.Host.Training;

namespace PeftQa.Host.Continual;

/// <summary>
/// One study's scores: <see cref="Baseline"/>[j] is task j's score before any training (b[j]); <see cref="AfterTask"/>[i][j]
/// is task j's score after training through task i (R[i][j]). Each entry maps metric name to score.
/// </summary>
public sealed record StudyResult(
    string Label,
    string Strategy,
    IReadOnlyList<string> Tasks,
    IReadOnlyList<IReadOnlyDictionary<string, double>> Baseline,
    IReadOnlyList<IReadOnlyList<IReadOnlyDictionary<string, double>>> AfterTask,
    IReadOnlyList<TrainingSummary> Training,
    long TrainableParameters,
    long TotalParameters,
    string AdapterFolder,
    string? ModelFolder);
