namespace PeftQa.Abstractions;

/// <summary>
/// A continual-learning metric over one study's accuracy matrix: how much of the earlier tasks the model keeps, how much
/// training on earlier tasks helps later ones. Examples: ACC, BWT, FWT, forgetting. Values are in the matrix's units
/// (score points, 0..100 for F1 and exact match).
/// </summary>
[PluginKind("continual-metric")]
public interface IContinualMetric : IPeftQaPlugin
{
    /// <summary>The formula in words, printed under the report's tables (say which of the published definitions it is).</summary>
    string Definition { get; }

    /// <summary>The study's value and, where the metric has one, a value per task; null where undefined (BWT of one task).</summary>
    ContinualScore Compute(AccuracyMatrix matrix);
}

/// <summary>
/// One metric's scores for a study of T tasks, tasks numbered from 0: <see cref="Baseline"/>[j] is task j's score before
/// any training (b[j]); <see cref="AfterTask"/>[i][j] is task j's score after training through task i (R[i][j]). Square: T rows of T.
/// </summary>
public sealed record AccuracyMatrix
{
    public AccuracyMatrix(IReadOnlyList<double> baseline, IReadOnlyList<IReadOnlyList<double>> afterTask)
    {
        if (afterTask.Count != baseline.Count || afterTask.Any(row => row.Count != baseline.Count))
            throw new ArgumentException($"expected {baseline.Count} rows of {baseline.Count} scores (one per task after each task), got {afterTask.Count} rows");
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

/// <summary>A continual metric's value for the study, and per task where it has one (null entries where undefined for that task).</summary>
public sealed record ContinualScore(double? Value, IReadOnlyList<double?>? PerTask = null);
