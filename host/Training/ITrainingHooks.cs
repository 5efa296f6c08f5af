using PeftQa.Host.Data;
using static TorchSharp.torch;

namespace PeftQa.Host.Training;

/// <summary>What a continual-learning strategy adds to training: windows of earlier tasks in each batch, a term in the loss.</summary>
public interface ITrainingHooks
{
    /// <summary>Windows to add to training batch <paramref name="batch"/> (counted from 0 within the task).</summary>
    IReadOnlyList<QaFeature> ExtraWindows(int batch);

    /// <summary>A term added to the loss at every step, or null; created inside the step's dispose scope.</summary>
    Tensor? Penalty();
}
