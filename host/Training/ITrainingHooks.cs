using PeftQa.Abstractions;
using PeftQa.Host.Data;
using static TorchSharp.torch;

namespace PeftQa.Host.Training;

/// <summary>
/// What a continual-learning strategy adds to training: windows of earlier tasks in each batch, terms in the loss, a
/// change to each step's gradients.
/// </summary>
public interface ITrainingHooks
{
    /// <summary>Windows to add to training batch <paramref name="batch"/> (counted from 0 within the task).</summary>
    IReadOnlyList<QaFeature> ExtraWindows(int batch);

    /// <summary>A term added to the loss at every step, or null; created inside the step's dispose scope.</summary>
    Tensor? Penalty();

    /// <summary>
    /// Before a micro-batch's forward pass: a term to add to its loss given its logits, or null; created inside the
    /// micro-batch's dispose scope.
    /// </summary>
    BatchPenaltyTerm? BatchPenalty(FeatureBatch batch);

    /// <summary>After the step's backward, before clipping and the update: may change the trainable parameters' gradients.</summary>
    void AdjustGradients(int step, IReadOnlyList<NamedParameter> trainable);
}
