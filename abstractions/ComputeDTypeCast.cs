using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>
/// Under bf16 mixed precision a layer hands its extensions bf16 tensors while their parameters stay fp32 (see
/// <see cref="IAdaptableModel.ComputeDType"/>); this casts a parameter to match, and autograd carries its gradient back.
/// </summary>
public static class ComputeDTypeCast
{
    /// <summary><paramref name="parameter"/> in <paramref name="like"/>'s dtype; the parameter itself (no copy) where they already match.</summary>
    public static Tensor InDTypeOf(this Tensor parameter, Tensor like) => parameter.dtype == like.dtype ? parameter : parameter.to(like.dtype);
}
