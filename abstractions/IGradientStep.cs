using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>
/// One optimizer step between backward and the optimizer's update (<see cref="IContinualLearner.AdjustGradients"/>): the
/// trainable parameters hold the step's gradients, which a strategy may change (A-GEM projects them).
/// </summary>
public interface IGradientStep
{
    /// <summary>The task being trained, from 0.</summary>
    int Task { get; }

    /// <summary>The step's index in the task, from 0.</summary>
    int Step { get; }

    /// <summary>The parameters the optimizer updates, whose <c>grad</c> holds the step's gradient.</summary>
    IReadOnlyList<NamedParameter> Trainable { get; }

    /// <summary>
    /// The mean span loss over <paramref name="windows"/> (of earlier tasks or a retention task's memory) with the model as
    /// it is now, without dropout, recording gradients. Calling backward on it adds to the parameters' gradients.
    /// </summary>
    Tensor Loss(IReadOnlyList<WindowRef> windows);
}
