using PeftQa.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Lora;

/// <summary>
/// IA3's learned vector on one Linear (PEFT's <c>ia3_l</c>), initialised to ones so a fresh vector changes nothing.
/// On a feed-forward layer it scales the layer's input, shaped [1, in]: <c>y = W (x * l) + b</c>; elsewhere it scales the
/// output, shaped [out, 1]: <c>y = (W x + b) * l</c> (keys and values).
/// </summary>
public sealed class Ia3Vector : ILinearExtension, IDisposable
{
    public Ia3Vector(IAdaptableModel model, IAdaptableLinear target, bool isFeedforward)
    {
        Target = target;
        IsFeedforward = isFeedforward;
        long[] shape = isFeedforward ? [1, target.InFeatures] : [target.OutFeatures, 1];
        Scale = new Parameter(ones(shape, dtype: model.ParameterDType, device: model.Device));
    }

    public IAdaptableLinear Target { get; }

    public bool IsFeedforward { get; }

    /// <summary>l: [1, in] on a feed-forward layer, [out, 1] elsewhere, as PEFT stores it.</summary>
    public Parameter Scale { get; }

    /// <summary>Off while merged into the weight or while its adapter is disabled.</summary>
    public bool Enabled { get; set; } = true;

    public Tensor TransformInput(Tensor input) => IsFeedforward ? input * Scale.flatten().InDTypeOf(input) : input;

    public Tensor TransformOutput(Tensor input, Tensor output) => IsFeedforward ? output : output * Scale.flatten().InDTypeOf(output);

    /// <summary>What merging adds to the weight: <c>W * l - W</c>, scaling columns (feed-forward) or rows.</summary>
    public Tensor WeightDelta()
    {
        using var _ = no_grad();
        return Target.Weight * (Scale - 1);
    }

    /// <summary>What merging adds to the bias: <c>b * l - b</c> where the output is scaled; null where the input is, or without a bias.</summary>
    public Tensor? BiasDelta()
    {
        if (IsFeedforward || Target.Bias is not { } bias) return null;
        using var _ = no_grad();
        return bias * (Scale.flatten() - 1);
    }

    public void Dispose() => Scale.Dispose();
}
