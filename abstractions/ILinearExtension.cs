using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>
/// A method's hook on one Linear layer (<see cref="IAdaptableLinear.AddExtension"/>). The layer computes
/// <c>W' = TransformWeight(W)</c> and <c>x' = TransformInput(x)</c> for each enabled extension in order, then
/// <c>y = W' x' + b</c>, then <c>y = TransformOutput(x, y)</c> for each enabled extension in order. So a method may
/// change the weight the product uses (LoRA: <c>W + s B A</c>, one product instead of three), add to the output (LoRA
/// with dropout: <c>y + B A x s</c>), scale it (IA3 on keys and values), rescale the combined weight's output (DoRA),
/// or scale the input of the base product (IA3 on feed-forward layers) without computing <c>W x</c> twice.
/// </summary>
/// <remarks>
/// Parameters an extension owns are created with <see cref="IAdaptableModel.ParameterDType"/> on
/// <see cref="IAdaptableModel.Device"/>. Compute in the dtype of the tensors you are given: under bf16 mixed precision
/// (<see cref="IAdaptableModel.ComputeDType"/>) the input and output are bf16 while your parameters are fp32, so cast
/// them (<c>A.InDTypeOf(input)</c>, <see cref="ComputeDTypeCast"/>). Both methods may return their argument modified in place; autograd records it.
/// </remarks>
public interface ILinearExtension
{
    /// <summary>False: skipped in the forward pass (an adapter that is disabled or merged).</summary>
    bool Enabled { get; }

    /// <summary>
    /// The weight the base product uses, [out, in], given the weight so far (the layer's fp32 weight with the earlier
    /// extensions applied); by default unchanged. Autograd carries the product's weight gradient back to whatever this
    /// was computed from. Since contracts 1.5.0.
    /// </summary>
    Tensor TransformWeight(Tensor weight) => weight;

    /// <summary>The input the base product sees, [..., in]; by default unchanged.</summary>
    Tensor TransformInput(Tensor input) => input;

    /// <summary>
    /// The layer's output, [..., out], given the layer's input as it came in (before any <see cref="TransformInput"/>)
    /// and the output so far (<c>W x' + b</c> with the earlier extensions applied); by default unchanged.
    /// </summary>
    Tensor TransformOutput(Tensor input, Tensor output) => output;
}
