using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Plugins.Lora;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.BundledPlugins.Lora;

/// <summary>DoRA as PEFT defines it: W' = m (W + s B A) / ||W + s B A||, the norm per output row, m starting at ||W||.</summary>
[Collection(SerialCollection.Name)]
public sealed class DoraTests
{
    private static readonly LoraOptions Dora = new() { R = 4, Alpha = 8, UseDora = true, TargetModules = ["query", "value", "intermediate.dense"] };

    /// <summary>Random B and a magnitude away from ||W||, as training would leave them.</summary>
    private static void Perturb(LoraAdapter adapter)
    {
        using var _ = no_grad();
        foreach (var branch in adapter.Branches)
        {
            branch.B.copy_(randn_like(branch.B) * 0.5);
            branch.Magnitude!.mul_(rand_like(branch.Magnitude) + 0.5);
        }
    }

    [Fact]
    public void A_fresh_dora_adapter_leaves_outputs_unchanged_and_starts_its_magnitude_at_the_row_norms()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var before = TinyBert.StartLogits(model);

        using var adapter = (LoraAdapter)new LoraStrategy().Attach(model, Dora);

        (TinyBert.StartLogits(model) - before).abs().max().item<float>().Should().BeLessThan(1e-5f);
        foreach (var branch in adapter.Branches)
            branch.Magnitude!.allclose(branch.Target.Weight.square().sum(1).sqrt(), atol: 1e-6).Should().BeTrue();
        adapter.TrainableParameters.Should().Contain(p => p.Name == "bert.encoder.layer.0.attention.self.query.lora_magnitude_vector");
    }

    [Fact]
    public void The_layer_computes_the_rescaled_combined_weight_and_merging_gives_the_same_outputs()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var original = TinyBert.StartLogits(model);
        using var adapter = (LoraAdapter)new LoraStrategy().Attach(model, Dora);
        Perturb(adapter);
        var branch = adapter.Branches[0];
        var linear = (PeftQa.Host.Modeling.AdaptableLinear)branch.Target;
        manual_seed(5);
        var x = randn(3, 32);

        Tensor layerOutput;
        using (no_grad()) layerOutput = linear.forward(x);
        using var combined = branch.Target.Weight + branch.B.matmul(branch.A) * branch.Scaling;
        var expected = nn.functional.linear(x, combined * (branch.Magnitude! / combined.square().sum(1).sqrt()).unsqueeze(1), branch.Target.Bias);
        var adapted = TinyBert.StartLogits(model);
        adapter.Merge();
        var merged = TinyBert.StartLogits(model);
        adapter.Unmerge();
        var unmerged = TinyBert.StartLogits(model);
        adapter.Enabled = false;
        var disabled = TinyBert.StartLogits(model);

        (layerOutput - expected).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (adapted - original).abs().max().item<float>().Should().BeGreaterThan(1e-3f, "the trained adapter matters");
        (merged - adapted).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (unmerged - adapted).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (disabled - original).abs().max().item<float>().Should().BeLessThan(1e-5f, "unmerging restores the base weights");
    }

    [Fact]
    public void The_magnitude_and_both_factors_get_gradients()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        using var adapter = (LoraAdapter)new LoraStrategy().Attach(model, Dora);
        Perturb(adapter);
        var (ids, mask, types) = TinyBert.Batch();

        model.Forward(ids, mask, types).Start.sum().backward();

        var branch = adapter.Branches[0];
        foreach (var parameter in new[] { branch.A, branch.B, branch.Magnitude! })
            parameter.grad.Should().NotBeNull().And.Match<Tensor>(g => g.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Files_use_pefts_dora_layout_and_load_back_to_the_same_outputs()
    {
        using var folder = new TemporaryFolder();
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        Tensor saved;
        using (var adapter = (LoraAdapter)new LoraStrategy().Attach(model, Dora))
        {
            Perturb(adapter);
            saved = TinyBert.StartLogits(model);
            adapter.Save(folder.Path);
        }

        var (entries, _, _) = SafeTensors.ReadHeader(folder.Combine("adapter_model.safetensors"));
        entries.Single(e => e.Name == "base_model.model.bert.encoder.layer.1.intermediate.dense.lora_magnitude_vector").Shape.Should().Equal(64);
        JsonNode.Parse(File.ReadAllText(folder.Combine("adapter_config.json")))!["use_dora"]!.GetValue<bool>().Should().BeTrue();
        var read = (LoraOptions)new LoraStrategy().ReadSavedOptions(folder.Path)!;
        read.UseDora.Should().BeTrue();

        using var reloaded = TinyBert.Model();
        using var restored = new LoraStrategy().Attach(reloaded, read);
        restored.Load(folder.Path);
        (TinyBert.StartLogits(reloaded) - saved).abs().max().item<float>().Should().BeLessThan(1e-6f);
    }
}
