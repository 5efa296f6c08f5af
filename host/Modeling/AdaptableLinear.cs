using PeftQa.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>
/// torch.nn.Linear (parameters <c>weight</c> [out, in] and <c>bias</c>) that adapter strategies can extend
/// (<see cref="ILinearExtension"/>) and merge deltas into. With no extension attached the forward pass is a single linear call.
/// Under mixed precision (<see cref="ComputeDType"/> bf16) the product runs on bf16 copies of the input, weight and bias,
/// and the output is bf16; autograd carries the gradients back to the fp32 parameters.
/// </summary>
public sealed class AdaptableLinear : nn.Module<Tensor, Tensor>, IAdaptableLinear
{
    private readonly List<KeyValuePair<string, ILinearExtension>> extensions = [];

    public AdaptableLinear(long inFeatures, long outFeatures, bool hasBias = true) : base(nameof(AdaptableLinear))
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        register_parameter("weight", new Parameter(empty(outFeatures, inFeatures)));
        if (hasBias) register_parameter("bias", new Parameter(zeros(outFeatures)));
    }

    /// <summary>Hugging Face module name, set by the model once the tree is built.</summary>
    public string Name { get; internal set; } = "";

    public long InFeatures { get; }

    public long OutFeatures { get; }

    /// <summary>Looked up on each use: moving the module to a device replaces its registered parameters.</summary>
    public Parameter Weight => get_parameter("weight")!;

    public Parameter? Bias => get_parameter("bias");

    public IReadOnlyList<KeyValuePair<string, ILinearExtension>> Extensions => extensions;

    /// <summary>
    /// The dtype the product runs in; null: the parameters' own (set by the model, see
    /// <see cref="BertForQuestionAnswering.UseComputeDType"/>).
    /// </summary>
    public ScalarType? ComputeDType { get; internal set; }

    /// <summary>Weight and bias are registered explicitly; see <see cref="BertModule"/>.</summary>
    protected override void RegisterComponents() { }

    public override Tensor forward(Tensor input)
    {
        var x = OpProfile.Mark(InComputeDType(OpProfile.Mark(input, OpCategory.Rest)), OpCategory.Casts);
        if (extensions.Count == 0) return Product(x, Weight);
        Tensor weight = Weight;
        var productInput = x;
        foreach (var (_, extension) in extensions)
        {
            if (!extension.Enabled) continue;
            weight = extension.TransformWeight(weight);
            productInput = extension.TransformInput(productInput);
        }
        // An extension that mixes in an fp32 tensor promotes the input; the product still runs in the compute dtype.
        var output = Product(InComputeDType(productInput), OpProfile.Mark(weight, OpCategory.Products));
        foreach (var (_, extension) in extensions)
            if (extension.Enabled) output = extension.TransformOutput(x, output);
        return OpProfile.Mark(output, OpCategory.Products);
    }

    private Tensor Product(Tensor input, Tensor weight)
    {
        if (ComputeDType is not { } dtype || dtype == weight.dtype)
            return OpProfile.Mark(nn.functional.linear(input, weight, Bias), OpCategory.Products);
        var castWeight = OpProfile.Mark(weight.to(dtype), OpCategory.Casts);
        var castBias = Bias is { } bias ? OpProfile.Mark(bias.to(dtype), OpCategory.Casts) : null;
        return OpProfile.Mark(nn.functional.linear(input, castWeight, castBias), OpCategory.Products);
    }

    private Tensor InComputeDType(Tensor tensor) => ComputeDType is { } dtype && tensor.dtype != dtype ? tensor.to(dtype) : tensor;

    public void AddExtension(string name, ILinearExtension extension)
    {
        if (extensions.Any(b => b.Key == name)) throw new InvalidOperationException($"{Name} already has an extension named '{name}'");
        extensions.Add(new(name, extension));
    }

    public bool RemoveExtension(string name) => extensions.RemoveAll(b => b.Key == name) > 0;

    public void MergeIntoWeight(Tensor delta)
    {
        CheckDelta(delta);
        using var _ = no_grad();
        Weight.add_(delta.to(Weight.dtype, Weight.device));
    }

    public void UnmergeFromWeight(Tensor delta)
    {
        CheckDelta(delta);
        using var _ = no_grad();
        Weight.sub_(delta.to(Weight.dtype, Weight.device));
    }

    public void MergeIntoBias(Tensor delta)
    {
        using var _ = no_grad();
        BiasOrFail(delta).add_(delta.to(Weight.dtype, Weight.device));
    }

    public void UnmergeFromBias(Tensor delta)
    {
        using var _ = no_grad();
        BiasOrFail(delta).sub_(delta.to(Weight.dtype, Weight.device));
    }

    private Parameter BiasOrFail(Tensor delta)
    {
        var bias = Bias ?? throw new InvalidOperationException($"{Name} has no bias to merge into");
        if (delta.shape.Length != 1 || delta.shape[0] != OutFeatures)
            throw new ArgumentException($"{Name}: a bias delta must be [{OutFeatures}], got [{string.Join(", ", delta.shape)}]");
        return bias;
    }

    private void CheckDelta(Tensor delta)
    {
        if (delta.shape.Length != 2 || delta.shape[0] != OutFeatures || delta.shape[1] != InFeatures)
            throw new ArgumentException($"{Name}: a delta must be [{OutFeatures}, {InFeatures}], got [{string.Join(", ", delta.shape)}]");
    }
}
