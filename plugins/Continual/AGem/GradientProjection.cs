using static TorchSharp.torch;

namespace PeftQa.Plugins.Continual;

/// <summary>
/// A-GEM's projection (Chaudhry et al., 2019, eq. 11): with g the step's gradient and g_ref the reference gradient on the
/// episodic memory, both over all trainable parameters as one vector, if g . g_ref &lt; 0 then
/// g := g - (g . g_ref / g_ref . g_ref) g_ref, so the update no longer increases the memory's loss (to first order).
/// </summary>
public static class GradientProjection
{
    /// <summary>Projects <paramref name="gradient"/> in place, one tensor per parameter; returns whether it conflicted (and was changed).</summary>
    public static bool Project(IReadOnlyList<Tensor> gradient, IReadOnlyList<Tensor> reference)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        double dot = 0, referenceNorm = 0;
        for (int p = 0; p < gradient.Count; p++)
        {
            dot += (gradient[p] * reference[p]).sum().item<float>();
            referenceNorm += reference[p].square().sum().item<float>();
        }
        if (dot >= 0 || referenceNorm == 0) return false;
        for (int p = 0; p < gradient.Count; p++) gradient[p].sub_(reference[p] * (dot / referenceNorm));
        return true;
    }
}
