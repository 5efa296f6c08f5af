namespace PeftQa.Abstractions;

/// <summary>
/// One metric's scores for a study of T tasks, tasks numbered from 0: <see cref="Baseline"/>[j] is task j's score before
/// any training (b[j]); <see cref="AfterTask"/>[i][j] is task j's score after training through task i (R[i][j]). Square: T rows of T.
/// </summary>
public sealed record AccuracyMatrix
{
    public AccuracyMatrix(IReadOnlyList<double> baseline, IReadOnlyList<IReadOnlyList<double>> afterTask)
    {
        if (afterTask.Count != baseline.Count || afterTask.Any(row => row.Count != baseline.Count))
            throw new ArgumentException(
                $"expected {baseline.Count} rows of {baseline.Count} scores (one per task after each task), got {afterTask.Count} rows");
        Baseline = baseline;
        AfterTask = afterTask;
    }

    public IReadOnlyList<double> Baseline { get; }

    public IReadOnlyList<IReadOnlyList<double>> AfterTask { get; }

    /// <summary>T, the number of tasks.</summary>
    public int Tasks => Baseline.Count;

    /// <summary>R[i][j]: task j's score after training through task i.</summary>
    public double R(int i, int j) => AfterTask[i][j];
}
