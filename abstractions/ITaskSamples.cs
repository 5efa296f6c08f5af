using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>A trained task's data, for strategies that gather statistics over it.</summary>
public interface ITaskSamples
{
    /// <summary>The task's number, from 0.</summary>
    int Task { get; }

    /// <summary>Number of training windows of the task.</summary>
    int Count { get; }

    /// <summary>The task's training windows in the order training used them (each window as often as it was used).</summary>
    IReadOnlyList<int> SeenWindows { get; }

    /// <summary>The mean span loss over these windows with the model as it is, without dropout, recording gradients.</summary>
    Tensor Loss(IReadOnlyList<int> windows);

    /// <summary>
    /// [n, hidden] [CLS] vectors of the encoder as it computes now, no gradients; call
    /// <see cref="IContinualLearner.Activate"/>(null) first for the base encoder's.
    /// </summary>
    Tensor Cls(IReadOnlyList<int> windows);
}
