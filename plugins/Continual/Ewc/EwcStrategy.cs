using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

/// <summary>
/// Elastic weight consolidation (Kirkpatrick et al., 2017): after each task, the diagonal Fisher information F of the trainable
/// parameters and their values theta* are kept; later tasks train with the penalty sum of lambda/2 * F * (theta - theta*)^2,
/// one term per finished task (Avalanche's "separate" mode). Works with any adapter strategy: it protects what that strategy trains.
/// </summary>
public sealed class EwcStrategy : ContinualStrategy<EwcOptions>
{
    public override string Name => "ewc";

    public override string Description =>
        "Elastic weight consolidation: a diagonal-Fisher penalty keeps the weights earlier tasks relied on near their values.";

    protected override IReadOnlyList<string> Validate(EwcOptions options, AdapterTraits adapter)
    {
        var ewc = options;
        var problems = new List<string>();
        if (!(ewc.Lambda >= 0) || double.IsInfinity(ewc.Lambda)) problems.Add($"lambda: expected a finite number >= 0, got {ewc.Lambda}");
        if (ewc.FisherWindows <= 0) problems.Add($"fisherWindows: expected a positive integer, got {ewc.FisherWindows}");
        if (ewc.FisherBatchSize <= 0) problems.Add($"fisherBatchSize: expected a positive integer, got {ewc.FisherBatchSize}");
        return problems;
    }

    protected override IContinualLearner Start(ContinualSetup setup, EwcOptions options) => new EwcLearner(setup, options);
}
