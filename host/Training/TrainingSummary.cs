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

    /// <summary>The sample and augmentation the task trained on; null when it trained on the task's data as loaded.</summary>
    public TrainingDataUsed? Data { get; init; }
}

/// <summary>Which training questions a task trained on: a sweep's sample, augmentation, and what came of them.</summary>
/// <param name="Size">The sweep's training size; null for the task's questions as the recipe limits them.</param>
/// <param name="Seed">The seed the sample (and augmentation) was drawn with.</param>
/// <param name="SampledQuestions">Questions sampled, before augmentation.</param>
/// <param name="Questions">Questions trained on, after augmentation.</param>
/// <param name="SampledIds">For a sweep's sample, the ids of the questions sampled (file order); null otherwise.</param>
/// <param name="WindowSeconds">Seconds spent cutting the questions (augmented ones too) into windows, before training.</param>
public sealed record TrainingDataUsed(
    int? Size, int Seed, int SampledQuestions, int Questions, int Windows, IReadOnlyList<Data.AugmentationRecord> Augmentation,
    IReadOnlyList<string>? SampledIds = null, double WindowSeconds = 0);

/// <summary>How early stopping ended a task.</summary>
/// <param name="StoppedAt">The step training ended at.</param>
/// <param name="BestStep">The step of the best validation score; with keepBest, the weights the study went on with.</param>
/// <param name="Reason">"patience" (the score stopped improving) or "budget" (the task's steps ran out first).</param>
/// <param name="Explanation">The reason in words.</param>
/// <param name="Validation">Every validation scoring of the task.</param>
public sealed record EarlyStopOutcome(
    string Metric, int StoppedAt, int? BestStep, double? BestScore, bool KeptBest, string Reason, string Explanation,
    IReadOnlyList<ValidationPoint> Validation);
