using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.Tools;

/// <summary>TorchSharp initialises on this OS (after the build's ELF fix) and computes correctly.</summary>
public sealed class TorchSharpRuntimeTests
{
    [Fact]
    public void Matrix_product_is_correct()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var b = tensor(new float[] { 7, 8, 9, 10, 11, 12 }, [3, 2]);

        var product = a.matmul(b);

        product.data<float>().ToArray().Should().Equal(58, 64, 139, 154);
    }

    [Fact]
    public void Autograd_gives_the_analytic_gradient()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, -2, 3 }, requires_grad: true);

        var y = (x * x * x).sum();
        y.backward();

        x.grad!.data<float>().ToArray().Should().Equal(3, 12, 27);
    }

    [Fact]
    public void Fused_attention_matches_softmax_attention()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var q = randn(2, 4, 5, 8);
        var k = randn(2, 4, 5, 8);
        var v = randn(2, 4, 5, 8);

        var fused = nn.functional.scaled_dot_product_attention(q, k, v);
        var reference = q.matmul(k.transpose(-2, -1)).div(Math.Sqrt(8)).softmax(-1).matmul(v);

        (fused - reference).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }
}
