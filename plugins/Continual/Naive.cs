using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

public sealed class NaiveOptions
{
}

/// <summary>Plain sequential fine-tuning: each task trains from where the previous one left off. The baseline for forgetting.</summary>
public sealed class NaiveStrategy : IContinualStrategy
{
    public string Name => "naive";

    public string Description => "Plain sequential training, task after task, with nothing done against forgetting (the baseline).";

    public Type OptionsType => typeof(NaiveOptions);

    public IReadOnlyList<string> Validate(object options, AdapterTraits adapter) => [];

    public IContinualLearner Start(ContinualSetup setup, object options) => new NaiveLearner(setup);

    private sealed class NaiveLearner(ContinualSetup setup) : LearnerBase(setup);
}
