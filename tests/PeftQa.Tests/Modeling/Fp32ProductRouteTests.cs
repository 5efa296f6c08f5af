using System.Diagnostics;
using FluentAssertions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Tests.Modeling;

/// <summary>
/// The oneDNN route for fp32 products: chosen only for AVX-512 CPUs without AMX, and where chosen it keeps fp32
/// accuracy. The switch is process-wide, so the tests that flip it run alone.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class Fp32ProductRouteTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(new string[] { "avx2" }, false, "no AVX-512")]
    [InlineData(new[] { "avx2", "avx512f" }, true, "PEFTQA_FP32_PRODUCTS=onednn: oneDNN")]
    [InlineData(new[] { "avx2", "avx512f", "avx512_vnni", "avx512_bf16" }, true, "PEFTQA_FP32_PRODUCTS=onednn: oneDNN")]
    [InlineData(new[] { "avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16" }, false, "refused: AMX")]
    [InlineData(new[] { "avx2", "avx512f", "amx_tile" }, false, "refused: AMX")]
    [InlineData(new[] { "avx2", "avx512f", "amx_bf16" }, false, "refused: AMX")]
    [InlineData(new string[0], false, "refused: no AVX-512")]
    public void Asked_for_oneDnn_is_taken_only_on_AVX512_without_AMX(string[] flags, bool oneDnn, string reason)
    {
        var route = Fp32ProductRoute.Decide(cpu: true, flags.ToHashSet(), variable: "onednn", missing: null);

        route.OneDnn.Should().Be(oneDnn);
        route.Name.Should().Be(oneDnn ? "onednn" : "default");
        route.Reason.Should().Contain(reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" Default ")]
    public void Unasked_the_default_kernels_compute_and_a_capable_CPU_is_told_how_to_ask(string? variable)
    {
        var capable = Fp32ProductRoute.Decide(cpu: true, new HashSet<string> { "avx2", "avx512f" }, variable, null);
        var amx = Fp32ProductRoute.Decide(cpu: true, new HashSet<string> { "avx2", "avx512f", "amx_tile" }, variable, null);

        capable.Should().Be(new Fp32ProductRoute(false, "libtorch's default; PEFTQA_FP32_PRODUCTS=onednn would take oneDNN's fp32 AVX-512 kernels"));
        amx.OneDnn.Should().BeFalse();
        amx.Reason.Should().Contain("AMX");
    }

    [Fact]
    public void The_route_keeps_the_default_off_the_CPU_without_flags_or_when_libtorch_lacks_the_switch()
    {
        var avx512 = new HashSet<string> { "avx2", "avx512f" };

        Fp32ProductRoute.Decide(cpu: false, avx512, "onednn", null).Should().Be(new Fp32ProductRoute(false, "not a CPU: libtorch's own GPU kernels"));
        Fp32ProductRoute.Decide(cpu: true, null, "onednn", null).Reason.Should().Contain("cannot be read");
        var missing = Fp32ProductRoute.Decide(cpu: true, avx512, "onednn", "libtorch_cpu does not export X");
        missing.OneDnn.Should().BeFalse();
        missing.Reason.Should().Contain("refused: libtorch_cpu does not export X");
    }

    [Fact]
    public void A_variable_other_than_onednn_or_default_is_refused_with_its_name()
    {
        var act = () => Fp32ProductRoute.Decide(cpu: true, new HashSet<string>(), "mkl", null);

        act.Should().Throw<BadInputException>().WithMessage("PEFTQA_FP32_PRODUCTS=mkl: expected onednn or default*");
    }

    [Fact]
    public void The_switch_turns_on_and_off_and_reads_back_where_libtorch_exports_it()
    {
        OneDnnFp32Matmul.Available.Should().BeTrue(OneDnnFp32Matmul.Missing ?? "the bundled libtorch 2.10 exports the switch");
        bool before = OneDnnFp32Matmul.Enabled;
        try
        {
            OneDnnFp32Matmul.Set(true).Should().BeTrue();
            OneDnnFp32Matmul.Enabled.Should().BeTrue();
            OneDnnFp32Matmul.Set(false).Should().BeTrue();
            OneDnnFp32Matmul.Enabled.Should().BeFalse();
        }
        finally
        {
            OneDnnFp32Matmul.Set(before);
        }
    }

    /// <summary>
    /// On a host that allows the route, its products must be as accurate as the default's against fp64 (a product
    /// computed in bf16 would be about a thousand times worse); elsewhere the check compares the default with itself,
    /// and says why.
    /// </summary>
    [Fact]
    public void The_route_computes_fp32_products_with_fp32_accuracy_forward_and_backward()
    {
        var (possible, why) = Fp32ProductRoute.OneDnnPossibleHere();
        output.WriteLine($"oneDNN route possible here: {possible} ({why}); CPU flags: {string.Join(", ", CpuFlags.SpeedRelevantHere())}");
        bool before = OneDnnFp32Matmul.Enabled;
        try
        {
            OneDnnFp32Matmul.Set(false);
            var (defaultError, defaultGradError) = ProductErrors();
            OneDnnFp32Matmul.Set(possible);
            var (routeError, routeGradError) = ProductErrors();
            output.WriteLine($"max abs error vs fp64: default {defaultError:E2} (grad {defaultGradError:E2}), " +
                             $"route {routeError:E2} (grad {routeGradError:E2})");

            defaultError.Should().BeLessThan(1e-3);
            routeError.Should().BeLessThan(Math.Max(4 * defaultError, 1e-3), "bf16 products would be off by about 1e-1");
            routeGradError.Should().BeLessThan(Math.Max(4 * defaultGradError, 1e-3));
        }
        finally
        {
            OneDnnFp32Matmul.Set(before);
        }
    }

    /// <summary>Max abs error against fp64 of a 512-wide linear layer's output and of its weight's gradient.</summary>
    private static (double Output, double WeightGrad) ProductErrors()
    {
        using var _ = NewDisposeScope();
        var generator = new Generator(17);
        var x = randn(512, 512, generator: generator);
        var weight = randn(512, 512, generator: generator).requires_grad_();
        var result = nn.functional.linear(x, weight);
        result.sum().backward();
        var x64 = x.to(ScalarType.Float64);
        var w64 = weight.detach().to(ScalarType.Float64);
        double outputError = (result.detach().to(ScalarType.Float64) - x64.matmul(w64.t())).abs().max().item<double>();
        var gradReference = ones(512, 512, dtype: ScalarType.Float64).t().matmul(x64);
        double gradError = (weight.grad!.to(ScalarType.Float64) - gradReference).abs().max().item<double>();
        return (outputError, gradError);
    }
}
