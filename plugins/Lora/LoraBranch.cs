using PeftQa.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Lora;

/// <summary>
/// One LoRA pair beside a Linear: delta(x) = B(A(dropout(x))) * scaling, A [r, in] initialised like nn.Linear
/// (kaiming-uniform, a = sqrt 5), B [out, r] zeros, so a fresh pair changes nothing.
/// </summary>
public sealed class LoraBranch : ILinearBranch, IDisposable
{
    private readonly IAdaptableModel model;
    private readonly double dropout;

    public LoraBranch(IAdaptableModel model, IAdaptableLinear target, int rank, double scaling, double dropout)
    {
        this.model = model;
        this.dropout = dropout;
        Target = target;
        Scaling = scaling;
        var device = target.Weight.device;
        A = new Parameter(empty(rank, target.InFeatures, device: device));
        nn.init.kaiming_uniform_(A, a: Math.Sqrt(5));
        B = new Parameter(zeros(target.OutFeatures, rank, device: device));
    }

    public IAdaptableLinear Target { get; }

    public Parameter A { get; }

    public Parameter B { get; }

    public double Scaling { get; }

    /// <summary>Off while merged into the weight or while its adapter is disabled.</summary>
    public bool Enabled { get; set; } = true;

    public Tensor Forward(Tensor input)
    {
        var x = dropout > 0 ? nn.functional.dropout(input, dropout, model.IsTraining) : input;
        return nn.functional.linear(nn.functional.linear(x, A), B).mul_(Scaling);
    }

    /// <summary>B A * scaling, [out, in]: what merging adds to the weight.</summary>
    public Tensor Delta()
    {
        using var _ = no_grad();
        return B.matmul(A).mul_(Scaling);
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
