using PeftQa.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Lora;

/// <summary>
/// One LoRA pair on a Linear: A [r, in] initialised like nn.Linear (kaiming-uniform, a = sqrt 5), B [out, r] zeros, so a
/// fresh pair changes nothing. Plain LoRA adds <c>B A dropout(x) s</c> to the layer's output. With DoRA
/// (<see cref="Magnitude"/> set) the layer computes <c>m / ||W + s B A|| * (W + s B A) x + b</c>, the norm per output row
/// and detached from the graph, as Hugging Face PEFT's <c>tuners/lora/dora.py</c> does: the output so far is rescaled
/// and the LoRA term scaled alike, without a second <c>W x</c>. Plain LoRA without dropout changes the weight instead
/// (<see cref="SingleProduct"/>): one full-width product through <c>W + s B A</c> replaces <c>W x</c> and the two
/// skinny rank-r products (four more in the backward pass), which CPUs run far below their peak; A's and B's gradients
/// come from that weight's gradient.
/// </summary>
public sealed class LoraBranch : ILinearExtension, IDisposable
{
    private readonly IAdaptableModel model;
    private readonly double dropout;

    public LoraBranch(IAdaptableModel model, IAdaptableLinear target, int rank, double scaling, double dropout, bool useDora,
        bool singleProduct = true)
    {
        this.model = model;
        this.dropout = dropout;
        Target = target;
        Scaling = scaling;
        A = new Parameter(empty(rank, target.InFeatures, dtype: model.ParameterDType, device: model.Device));
        nn.init.kaiming_uniform_(A, a: Math.Sqrt(5));
        B = new Parameter(zeros(target.OutFeatures, rank, dtype: model.ParameterDType, device: model.Device));
        if (useDora)
        {
            using var norm = WeightNorm();
            Magnitude = new Parameter(norm.clone());
        }
        SingleProduct = singleProduct && dropout == 0 && !useDora;
    }

    /// <summary>Whether the layer's product runs through <c>W + s B A</c> (asked for, no dropout, no DoRA).</summary>
    public bool SingleProduct { get; }

    public IAdaptableLinear Target { get; }

    public Parameter A { get; }

    public Parameter B { get; }

    /// <summary>DoRA's magnitude vector m [out], initialised to the row norms of W (B is zero); null for plain LoRA.</summary>
    public Parameter? Magnitude { get; }

    public double Scaling { get; }

    /// <summary>Off while merged into the weight or while its adapter is disabled.</summary>
    public bool Enabled { get; set; } = true;

    public Tensor TransformWeight(Tensor weight) => SingleProduct ? weight + B.matmul(A).mul_(Scaling) : weight;

    public Tensor TransformOutput(Tensor input, Tensor output)
    {
        if (SingleProduct) return output;
        var x = dropout > 0 ? nn.functional.dropout(input, dropout, model.IsTraining) : input;
        var lora = nn.functional.linear(nn.functional.linear(x, A.InDTypeOf(x)), B.InDTypeOf(x));
        if (Magnitude is null) return output.add_(lora.mul_(Scaling));

        // PEFT reuses the output so far as W x only without dropout; with it, W sees the dropped-out input.
        var baseProduct = dropout > 0 && model.IsTraining ? nn.functional.linear(x, Target.Weight.InDTypeOf(x))
            : Target.Bias is { } bias ? output - bias : output;
        using var norm = WeightNorm();
        var scale = Magnitude / norm;
        // Out of place: autograd keeps the output so far and the LoRA term for the magnitude's gradient.
        return output + baseProduct * (scale - 1) + lora * (scale * Scaling);
    }

    /// <summary>B A * scaling, [out, in]: the LoRA update of the weight.</summary>
    public Tensor Delta()
    {
        using var _ = no_grad();
        return B.matmul(A).mul_(Scaling);
    }

    /// <summary>
    /// What merging adds to the weight: the LoRA update, or with DoRA <c>m / ||W + s B A|| * (W + s B A) - W</c>.
    /// The adapter keeps it so unmerging subtracts exactly what was added.
    /// </summary>
    public Tensor MergeDelta()
    {
        using var _ = no_grad();
        var delta = Delta();
        if (Magnitude is null) return delta;
        using var combined = Target.Weight + delta;
        using var norm = RowNorms(combined);
        using var scaled = combined * (Magnitude / norm).unsqueeze(1);
        delta.Dispose();
        return scaled - Target.Weight;
    }

    /// <summary>||W + s B A|| per output row, detached: DoRA treats the norm as a constant in the backward pass.</summary>
    private Tensor WeightNorm()
    {
        using var _ = no_grad();
        using var delta = Delta();
        using var combined = Target.Weight + delta;
        return RowNorms(combined);
    }

    private static Tensor RowNorms(Tensor weight) => weight.square().sum(1).sqrt();

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
        Magnitude?.Dispose();
    }
}
