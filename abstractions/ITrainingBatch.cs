using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>
/// One training micro-batch as a continual learner sees it before its forward pass (<see cref="IContinualLearner.BatchPenalty"/>):
/// its attention mask and a way to run the model on its inputs, for a strategy that compares the model with an earlier
/// copy of itself (LwF distils the previous model's answers).
/// </summary>
public interface ITrainingBatch
{
    /// <summary>The task being trained, from 0.</summary>
    int Task { get; }

    /// <summary>[n, seq]: 1 at the windows' real tokens, 0 at padding; the positions a start or end can be.</summary>
    Tensor AttentionMask { get; }

    /// <summary>
    /// The model's [n, seq] start and end logits on the batch's inputs as it computes now, without dropout or gradients.
    /// The training forward pass has not run yet, so a strategy may put other values into the trainable parameters
    /// around this call (and must put the current ones back before returning).
    /// </summary>
    (Tensor Start, Tensor End) ForwardWithoutDropout();
}
