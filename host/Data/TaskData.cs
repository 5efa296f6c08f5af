namespace PeftQa.Host.Data;

/// <summary>A task's data, read, validated, limited and turned into windows once per run and shared by every study.</summary>
/// <param name="Validation">With <c>selection</c> or early stopping: the paragraphs held out of the training data, on which searched
/// configurations are chosen and early stopping decides.</param>
/// <param name="Train">The training questions; for a retention task, its memory (often none).</param>
public sealed record TaskData(string Name, QaDataSet Train, IReadOnlyList<QaFeature> TrainFeatures, EvalSet Eval, EvalSet? Validation = null)
{
    /// <summary>Evaluated at every stage and never trained (a retention task).</summary>
    public bool Retention { get; init; }

    /// <summary>
    /// The training sets studies of the run train on, by sample: every size and seed of a training-size sweep, and the
    /// augmented set of a task with augmentation. A sample not here is the task's <see cref="Train"/> as it is.
    /// </summary>
    public IReadOnlyDictionary<TrainingSample, TrainingSet> TrainingSets { get; init; } =
        new Dictionary<TrainingSample, TrainingSet>();

    /// <summary>This task as a study that trains on <paramref name="sample"/> sees it: that sample's questions and windows.</summary>
    public TaskData WithSample(TrainingSample? sample) =>
        sample is not null && TrainingSets.TryGetValue(sample, out var set)
            ? this with { Train = set.Train, TrainFeatures = set.Features, Sample = set }
            : this;

    /// <summary>The training set this task holds, when it was made for one study's sample (<see cref="WithSample"/>).</summary>
    public TrainingSet? Sample { get; init; }

    /// <summary>
    /// This task as selection sees it: its validation set in place of its evaluation set (and still its validation set,
    /// which early stopping scores, so candidates stop where the studies made from them stop).
    /// </summary>
    public TaskData ForSelection() => this with
    {
        Eval = Validation ?? throw new InvalidOperationException($"task '{Name}' has no validation set"),
    };
}
