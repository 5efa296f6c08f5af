using FluentAssertions;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.Modeling;

/// <summary>
/// bench --profile's split of a training step: every kind of op gets its forward and backward time, and the marks that
/// measure it change neither outputs nor gradients. The profile is process-wide, so these tests run alone.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class OpProfileTests
{
    [Fact]
    public void Marks_return_the_tensor_itself_unless_a_profile_runs()
    {
        using var tensor = ones(2, 2).requires_grad_();

        OpProfile.Mark(tensor, OpCategory.Products).Should().BeSameAs(tensor);
    }

    [Fact]
    public void A_profiled_step_charges_forward_and_backward_time_to_every_kind_of_op_in_bf16()
    {
        var (profile, _) = ProfiledStep(ScalarType.BFloat16);

        foreach (var category in Enum.GetValues<OpCategory>())
            profile.ForwardSeconds[(int)category].Should().BePositive($"the forward pass runs {category}");
        foreach (var category in new[] { OpCategory.Products, OpCategory.Attention, OpCategory.Casts, OpCategory.Norms, OpCategory.Rest })
            profile.BackwardSeconds[(int)category].Should().BePositive($"the backward pass runs {category}");
    }

    [Fact]
    public void Profiling_changes_neither_outputs_nor_gradients()
    {
        var (_, profiled) = ProfiledStep(ScalarType.Float32);
        var plain = Step(ScalarType.Float32);

        profiled.Should().HaveCount(plain.Count);
        for (int i = 0; i < plain.Count; i++)
            profiled[i].allclose(plain[i], rtol: 0, atol: 0).Should().BeTrue("a mark is the identity, forward and backward");
    }

    private static (OpProfile Profile, List<Tensor> Gradients) ProfiledStep(ScalarType dtype)
    {
        var profile = OpProfile.Start();
        try
        {
            return (profile, Step(dtype, profile));
        }
        finally
        {
            profile.Stop();
        }
    }

    /// <summary>One forward and backward of the tiny model with hidden dropout, seeded: the start logits and every gradient.</summary>
    private static List<Tensor> Step(ScalarType dtype, OpProfile? profile = null)
    {
        using var model = TinyBert.Model(dropout: 0.1);
        model.SetAttentionDropout(0);
        model.UseComputeDType(dtype);
        model.train();
        manual_seed(5);
        var (ids, mask, types) = TinyBert.Batch();
        profile?.BeginForward();
        var (start, end) = model.Forward(ids, mask, types);
        var loss = start.square().mean() + end.mean();
        profile?.EndForward();
        profile?.BeginBackward();
        loss.backward();
        profile?.EndBackward();
        return [start.detach().clone(), .. model.NamedParameters.Select(p => p.Parameter.grad!.clone())];
    }
}
