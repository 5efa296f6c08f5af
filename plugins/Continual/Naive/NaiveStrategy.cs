using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

/// <summary>Plain sequential fine-tuning: each task trains from where the previous one left off. The baseline for forgetting.</summary>
public sealed class NaiveStrategy : ContinualStrategy<NaiveOptions>
{
    public override string Name => "naive";

    public override string Description => "Plain sequential training, task after task, with nothing done against forgetting (the baseline).";

    protected override IContinualLearner Start(ContinualSetup setup, NaiveOptions options) => new NaiveLearner(setup);
}
