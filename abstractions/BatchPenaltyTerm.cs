using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>
/// A term added to one training micro-batch's loss, from the [n, seq] start and end logits of its forward pass (recording
/// gradients).
/// </summary>
public delegate Tensor BatchPenaltyTerm(Tensor startLogits, Tensor endLogits);
