namespace PeftQa.Abstractions;

/// <summary>
/// The purposes the bundled continual learners draw random numbers for, as the last key of
/// <see cref="LearnerBase.RandomFor"/>: <c>RandomFor(task, SeedSalts.TaskMemory)</c> seeds the choice of task
/// <c>task</c>'s memory and nothing else, so adding a draw for one purpose never shifts the draws of another.
/// </summary>
/// <remarks>
/// The values are negative so that they never equal a batch or step index, which are keys of their own
/// (<c>RandomFor(task, batch)</c> for replay's windows). They are part of every run's numbers: changing one changes
/// which windows a strategy remembers or samples, so a bundled strategy keeps its value. Each learner seeds only its own
/// generators, so a third-party learner may reuse these names or pick values of its own.
/// </remarks>
public static class SeedSalts
{
    /// <summary>The reservoir sample of a finished task's windows kept in an episodic memory (replay, A-GEM).</summary>
    public const int TaskMemory = -1;

    /// <summary>
    /// The windows a diagonal Fisher information is estimated on (EWC): a finished task's shuffled windows, or the
    /// sample of a retention task's memory.
    /// </summary>
    public const int FisherWindows = -2;

    /// <summary>The shuffle of a finished task's windows whose [CLS] vectors make its routing centroid (per-task adapters).</summary>
    public const int CentroidWindows = -3;

    /// <summary>
    /// The sample of a retention task's memory that a strategy keeps (replay, A-GEM) or averages into a centroid (per-task
    /// adapters).
    /// </summary>
    public const int RetentionMemory = -4;

    /// <summary>The remembered windows drawn for one optimizer step's reference gradient (A-GEM), keyed by task and step too.</summary>
    public const int ReferenceWindows = -5;
}
