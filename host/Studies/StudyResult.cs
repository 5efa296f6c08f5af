using PeftQa.Host.Training;

namespace PeftQa.Host.Studies;

/// <summary>
/// One study's scores: <see cref="Baseline"/>[j] is task j's score before any training (b[j]); <see cref="AfterTask"/>[i][j]
/// is task j's score after training through task i (R[i][j]). Each entry maps metric name to score.
/// <see cref="AnswersFolder"/> holds every question's answer after the last task (null in runs from before it was kept).
/// <see cref="Choices"/>: the searched settings the study used ("r=8 lr=0.001"), null without a search.
/// </summary>
public sealed record StudyResult(
    string Label,
    string Strategy,
    string Continual,
    string ContinualStrategy,
    IReadOnlyList<string> Tasks,
    IReadOnlyList<IReadOnlyDictionary<string, double>> Baseline,
    IReadOnlyList<IReadOnlyList<IReadOnlyDictionary<string, double>>> AfterTask,
    IReadOnlyList<TrainingSummary> Training,
    long TrainableParameters,
    long TotalParameters,
    string AdapterFolder,
    string? ModelFolder,
    long PeakMemoryBytes,
    long AdapterBytes,
    string Routing,
    IReadOnlyList<IReadOnlyList<double?>>? RoutingAccuracy,
    string? AnswersFolder = null,
    string? Configuration = null,
    int? Seed = null,
    string? Choices = null)
{
    /// <summary>
    /// The model the study started from, as the recipe names it (a built-in name or a folder); null in runs from before
    /// it was kept.
    /// </summary>
    public string? StartedFrom { get; init; }

    /// <summary>What the study computed in, what was asked for and why (training.precision); null in runs from before precision modes.</summary>
    public Modeling.ComputePrecision? Precision { get; init; }

    /// <summary>Where the run kept every question's answer before training (the baseline's); null in runs from before it was kept.</summary>
    public string? BaselineAnswersFolder { get; init; }

    /// <summary>Each retention task's scores at the start and after every trained task; null without retention tasks.</summary>
    public IReadOnlyList<RetentionScores>? Retention { get; init; }

    /// <summary>
    /// The study whose trained weights this one adopted instead of training (a folder relative to the run folder: the
    /// winning selection candidate, or an earlier identical study); null when it trained.
    /// </summary>
    public string? TrainingReusedFrom { get; init; }

    /// <summary>Mean over tasks of the scores after the last task (ACC); for one task, its final scores.</summary>
    public IReadOnlyDictionary<string, double> Final =>
        AfterTask.Count == 0 ? new Dictionary<string, double>()
            : AfterTask[^1].SelectMany(s => s).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Average(s => s.Value));

    /// <summary>AdamW keeps two fp32 moments per trainable parameter.</summary>
    public long OptimizerStateBytes => TrainableParameters * 8;

    /// <summary>The (adapter, continual strategy) configuration this study is one seed of; its label in runs from before seeds.</summary>
    public string ConfigurationLabel => Configuration ?? Label;

    /// <summary>Seconds spent training, all tasks together.</summary>
    public double TrainingSeconds => Training.Sum(t => t.Seconds);
}
