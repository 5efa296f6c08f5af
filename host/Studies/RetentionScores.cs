namespace PeftQa.Host.Studies;

/// <summary>
/// A retention task's scores in one study: <see cref="Start"/> before any training (the starting model's), and
/// <see cref="AfterTask"/>[i] after training through trained task i. Each maps metric name to score.
/// </summary>
public sealed record RetentionScores(
    string Task, IReadOnlyDictionary<string, double> Start, IReadOnlyList<IReadOnlyDictionary<string, double>> AfterTask)
{
    /// <summary>
    /// The drop from the start: the score at the start minus the score after the last trained task (positive:
    /// forgotten); null until the last stage.
    /// </summary>
    public double? Drop(string metric, int trainedTasks) =>
        AfterTask.Count == trainedTasks && trainedTasks > 0
        && Start.TryGetValue(metric, out var start) && AfterTask[^1].TryGetValue(metric, out var end)
            ? start - end
            : null;
}
