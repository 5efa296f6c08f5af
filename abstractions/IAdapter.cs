namespace PeftQa.Abstractions;

/// <summary>A strategy attached to one model: its trainable parameters and its saved state.</summary>
public interface IAdapter : IDisposable
{
    /// <summary>Name of the strategy that made it.</summary>
    string StrategyName { get; }

    /// <summary>
    /// Exactly the parameters the optimizer updates (each at its <see cref="NamedParameter.LearningRateScale"/>); everything
    /// else in the model is frozen.
    /// </summary>
    IReadOnlyList<NamedParameter> TrainableParameters { get; }

    /// <summary>Writes what this adapter trains (and only that) into <paramref name="directory"/>, which exists.</summary>
    void Save(string directory);

    /// <summary>Reads what <see cref="Save"/> wrote. Fails with <see cref="AdapterLoadException"/> naming the file and what
    /// does not match (another strategy, another base model's shapes).</summary>
    void Load(string directory);

    /// <summary>False: the model computes as if this adapter were not attached; its trained state is kept. Dispose detaches it.</summary>
    bool Enabled { get; set; }

    /// <summary>True when <see cref="Merge"/> folds the adapter into the base weights.</summary>
    bool SupportsMerge { get; }

    /// <summary>Folds the adapter into the base weights so inference costs nothing extra.</summary>
    void Merge();

    /// <summary>Undoes <see cref="Merge"/>.</summary>
    void Unmerge();
}
