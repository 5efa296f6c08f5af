namespace PeftQa.Host.Training;

/// <summary>What one training stage produced.</summary>
/// <param name="Steps">The optimizer steps trained: the budget, or fewer where early stopping stopped or a rung paused.</param>
public sealed record TrainingSummary(int Steps, long Examples, double Seconds, double ExamplesPerSecond, double FinalLoss, int ResumedAtStep)
{
    /// <summary>The task's budget in steps (maxSteps, else epochs); 0 in runs from before it was kept.</summary>
    public int BudgetSteps { get; init; }

    /// <summary>Early stopping's record of the task; null without early stopping.</summary>
    public EarlyStopOutcome? EarlyStopping { get; init; }

    /// <summary>Training stopped at a halving rung, to be continued from its checkpoint.</summary>
    public bool Paused { get; init; }
}

/// <summary>How early stopping ended a task.</summary>
/// <param name="StoppedAt">The step training ended at.</param>
/// <param name="BestStep">The step of the best validation score; with keepBest, the weights the study went on with.</param>
/// <param name="Reason">"patience" (the score stopped improving) or "budget" (the task's steps ran out first).</param>
/// <param name="Explanation">The reason in words.</param>
/// <param name="Validation">Every validation scoring of the task.</param>
public sealed record EarlyStopOutcome(
    string Metric, int StoppedAt, int? BestStep, double? BestScore, bool KeptBest, string Reason, string Explanation,
    IReadOnlyList<ValidationPoint> Validation);
