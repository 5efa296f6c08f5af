namespace PeftQa.Host.Evaluation;

/// <summary>
/// <see cref="ContinualBootstrap"/>'s intervals for one study (or one study minus a reference): every stage's score on
/// every task, each continual metric, each retention task's drop from the start. Null where undefined (a continual
/// metric before the last task, BWT of one task).
/// </summary>
public sealed class ContinualIntervals(
    int trainedTasks, int retentionTasks, int stagesTrained, IReadOnlyList<string> metrics, ScoreInterval?[] values)
{
    private int Columns => trainedTasks + retentionTasks;

    /// <summary>
    /// The score before any training (stage 0) or after training through task <c>stage - 1</c>, on trained task
    /// <paramref name="task"/>.
    /// </summary>
    public ScoreInterval? Score(int stage, int task) => values[stage * Columns + task];

    /// <summary>A retention task's score at a stage (0: the start).</summary>
    public ScoreInterval? RetentionScore(int stage, int retentionTask) => values[stage * Columns + trainedTasks + retentionTask];

    public ScoreInterval? Metric(string name)
    {
        for (int k = 0; k < metrics.Count; k++)
            if (metrics[k] == name) return values[(stagesTrained + 1) * Columns + k];
        return null;
    }

    /// <summary>The drop from the start: score at the start minus score after the last trained task (positive: forgotten).</summary>
    public ScoreInterval? RetentionDrop(int retentionTask) => values[(stagesTrained + 1) * Columns + metrics.Count + retentionTask];
}
