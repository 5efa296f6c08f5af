using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

/// <summary>
/// Experience replay: after each task, a reservoir sample of the windows its training used is kept; every later batch
/// gets <see cref="ReplayOptions.PerBatch"/> of them added. Works with any adapter strategy.
/// </summary>
public sealed class ReplayStrategy : ContinualStrategy<ReplayOptions>
{
    public override string Name => "replay";

    public override string Description =>
        "Experience replay: a reservoir-sampled memory of each finished task's windows, mixed into every later batch.";

    protected override IReadOnlyList<string> Validate(ReplayOptions options, AdapterTraits adapter)
    {
        var replay = options;
        var problems = new List<string>();
        if (replay.MemoryPerTask <= 0) problems.Add($"memoryPerTask: expected a positive integer, got {replay.MemoryPerTask}");
        if (replay.PerBatch <= 0) problems.Add($"perBatch: expected a positive integer, got {replay.PerBatch}");
        return problems;
    }

    protected override IContinualLearner Start(ContinualSetup setup, ReplayOptions options) => new ReplayLearner(setup, options);
}
