using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

/// <summary>
/// Averaged gradient episodic memory (A-GEM; Chaudhry et al., 2019; Avalanche's <c>AGEM(patterns_per_exp, sample_size)</c>):
/// a memory of each finished task's windows; at every step of a later task the gradient is projected when it conflicts
/// with the gradient on a sample of that memory. Works with every adapter strategy: it only changes the gradients of what
/// the adapter trains. A gradient clipped afterwards (training.maxGradNorm) is clipped after the projection.
/// </summary>
public sealed class AGemStrategy : ContinualStrategy<AGemOptions>
{
    public override string Name => "a-gem";

    public override string Description =>
        "A-GEM: projects each step's gradient when it conflicts with the gradient on a memory of earlier tasks' windows.";

    protected override IContinualLearner Start(ContinualSetup setup, AGemOptions options) => new AGemLearner(setup, options);
}
