namespace PeftQa.Host.Data;

/// <summary>The questions a study trains on for one task (sampled, then augmented) and their windows.</summary>
/// <param name="Augmentation">What each augmentation did to this set, in order; empty without augmentation.</param>
public sealed record TrainingSet(QaDataSet Train, IReadOnlyList<QaFeature> Features, IReadOnlyList<AugmentationRecord> Augmentation)
{
    /// <summary>The ids of the sampled questions before augmentation, in file order.</summary>
    public IReadOnlyList<string> SampledIds { get; init; } = Train.Examples.Select(e => e.Id).ToList();

    public int SampledQuestions => SampledIds.Count;

    /// <summary>Seconds spent cutting the set's questions into windows (with augmentation, the augmented questions too).</summary>
    public double WindowSeconds { get; init; }
}

/// <summary>What one augmentation did to one training set, for results.json and the dry run.</summary>
/// <param name="Added">Questions added.</param>
/// <param name="Changed">Questions it replaced by changed ones.</param>
/// <param name="Seconds">Its wall time, with the windows of what it added.</param>
public sealed record AugmentationRecord(string Strategy, int Added, int Changed, double Seconds);
