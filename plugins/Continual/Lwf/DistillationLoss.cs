using static TorchSharp.torch;

namespace PeftQa.Plugins.Continual;

/// <summary>
/// Learning without Forgetting's distillation term for extractive QA: the Kullback-Leibler divergence from the previous
/// model's start (and end) distribution to the current model's, both at temperature T, over each window's real tokens,
/// averaged over windows ("batchmean", as Avalanche's LwF computes it, without Hinton's T^2 factor), then over start and end.
/// </summary>
public static class DistillationLoss
{
    /// <param name="start">[n, seq] current start logits (recording gradients).</param>
    /// <param name="end">[n, seq] current end logits.</param>
    /// <param name="teacherStart">[n, seq] the previous model's start logits.</param>
    /// <param name="teacherEnd">[n, seq] the previous model's end logits.</param>
    /// <param name="mask">[n, seq]: nonzero at positions an answer can start or end (the real tokens).</param>
    public static Tensor Compute(Tensor start, Tensor end, Tensor teacherStart, Tensor teacherEnd, Tensor mask, double temperature) =>
        (Divergence(start, teacherStart, mask, temperature) + Divergence(end, teacherEnd, mask, temperature)) / 2;

    private static Tensor Divergence(Tensor student, Tensor teacher, Tensor mask, double temperature)
    {
        var padding = mask.eq(0);
        // A large finite fill, not -inf: a padded position then has probability 0 under both and adds 0 * finite.
        var logQ = (student / temperature).masked_fill(padding, -1e9).log_softmax(-1);
        var logP = (teacher.detach() / temperature).masked_fill(padding, -1e9).log_softmax(-1);
        return (logP.exp() * (logP - logQ)).sum(-1).mean();
    }
}
