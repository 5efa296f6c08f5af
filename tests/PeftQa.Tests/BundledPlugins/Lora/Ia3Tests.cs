using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Plugins;
using PeftQa.Plugins.Lora;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.BundledPlugins.Lora;

/// <summary>IA3 as PEFT defines it for BERT: vectors scale the key and value outputs and the feed-forward inputs.</summary>
[Collection(SerialCollection.Name)]
public sealed class Ia3Tests
{
    private static void Perturb(Ia3Adapter adapter)
    {
        using var _ = no_grad();
        // Seeded and wide (scales 0 to 3): tiny BERT's logits are small, so a narrow perturbation barely moves them.
        using var generator = new Generator(9);
        foreach (var vector in adapter.Vectors) vector.Scale.copy_(rand(vector.Scale.shape, generator: generator) * 3);
    }

    [Fact]
    public void A_fresh_adapter_changes_nothing_and_targets_what_peft_targets_on_bert()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var before = TinyBert.StartLogits(model);

        using var adapter = (Ia3Adapter)new Ia3Strategy().Attach(model, new Ia3Options());

        TinyBert.StartLogits(model).allclose(before, rtol: 0, atol: 0).Should().BeTrue();
        var layer0 = adapter.Vectors.Where(v => v.Target.Name.StartsWith("bert.encoder.layer.0.")).ToDictionary(v => v.Target.Name["bert.encoder.layer.0.".Length..], v => v);
        layer0.Keys.Should().BeEquivalentTo("attention.self.key", "attention.self.value", "attention.output.dense", "output.dense");
        layer0["attention.self.key"].Scale.shape.Should().Equal(32, 1);
        layer0["output.dense"].Scale.shape.Should().Equal(1, 64);
        layer0["attention.output.dense"].IsFeedforward.Should().BeTrue("PEFT matches feed-forward names by suffix");
        adapter.TrainableParameters.Select(p => p.Name).Should().Contain("bert.encoder.layer.1.attention.self.value.ia3_l").And.Contain("qa_outputs.weight");
        model.NamedParameters.Where(p => p.Parameter.requires_grad).Select(p => p.Name).Should().BeEquivalentTo("qa_outputs.weight", "qa_outputs.bias");
    }

    [Fact]
    public void Keys_and_values_are_scaled_after_the_product_and_feed_forward_inputs_before_it()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        using var adapter = (Ia3Adapter)new Ia3Strategy().Attach(model, new Ia3Options());
        Perturb(adapter);
        manual_seed(9);
        using var _ = no_grad();

        foreach (var vector in adapter.Vectors.Take(4))
        {
            var linear = (PeftQa.Host.Modeling.AdaptableLinear)vector.Target;
            var x = randn(3, linear.InFeatures);
            var expected = vector.IsFeedforward
                ? nn.functional.linear(x * vector.Scale.flatten(), linear.Weight, linear.Bias)
                : nn.functional.linear(x, linear.Weight, linear.Bias) * vector.Scale.flatten();
            (linear.forward(x) - expected).abs().max().item<float>().Should().BeLessThan(1e-6f, vector.Target.Name);
        }
    }

    [Fact]
    public void Merge_and_unmerge_agree_with_the_unmerged_adapter()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var original = TinyBert.StartLogits(model);
        using var adapter = (Ia3Adapter)new Ia3Strategy().Attach(model, new Ia3Options());
        Perturb(adapter);

        var adapted = TinyBert.StartLogits(model);
        adapter.Merge();
        var merged = TinyBert.StartLogits(model);
        adapter.Unmerge();
        var unmerged = TinyBert.StartLogits(model);
        adapter.Enabled = false;
        var disabled = TinyBert.StartLogits(model);

        (adapted - original).abs().max().item<float>().Should().BeGreaterThan(1e-3f);
        (merged - adapted).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (unmerged - adapted).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (disabled - original).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void Files_use_pefts_ia3_layout_and_load_through_the_host_without_a_descriptor()
    {
        using var folder = new TemporaryFolder();
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        Tensor saved;
        using (var adapter = (Ia3Adapter)new Ia3Strategy().Attach(model, new Ia3Options()))
        {
            Perturb(adapter);
            saved = TinyBert.StartLogits(model);
            adapter.Save(folder.Path);
        }

        var (entries, _, _) = SafeTensors.ReadHeader(folder.Combine("adapter_model.safetensors"));
        entries.Single(e => e.Name == "base_model.model.bert.encoder.layer.0.attention.self.key.ia3_l").Shape.Should().Equal(32, 1);
        entries.Single(e => e.Name == "base_model.model.bert.encoder.layer.0.output.dense.ia3_l").Shape.Should().Equal(1, 64);
        var config = JsonNode.Parse(File.ReadAllText(folder.Combine("adapter_config.json")))!;
        config["peft_type"]!.GetValue<string>().Should().Be("IA3");
        config["feedforward_modules"]![0]!.GetValue<string>().Should().Be("output.dense");

        using var target = TinyBert.Model();
        var catalog = new PluginCatalog([
            new LoadedPlugin("lora", "adapter-strategy", "1", "", "", [], new LoraStrategy()), new LoadedPlugin("ia3", "adapter-strategy", "1", "", "", [], new Ia3Strategy())], []);
        using var loaded = AdapterFolder.Load(folder.Path, target, catalog);
        loaded.Should().BeOfType<Ia3Adapter>();
        (TinyBert.StartLogits(target) - saved).abs().max().item<float>().Should().BeLessThan(1e-6f);
    }

    [Fact]
    public void A_feed_forward_module_that_is_not_a_target_is_refused()
    {
        var problems = new Ia3Strategy().Validate(new Ia3Options { TargetModules = ["key"], FeedforwardModules = ["output.dense"] }, TinyBert.Config().Describe("tiny"));

        problems.Should().ContainSingle().Which.Should().StartWith("feedforwardModules: 'output.dense' is not one of targetModules [key]");
    }
}
