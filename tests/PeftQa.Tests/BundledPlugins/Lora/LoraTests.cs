using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Plugins;
using PeftQa.Plugins.Lora;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.BundledPlugins.Lora;

[Collection(SerialCollection.Name)]
public sealed class LoraTests
{
    /// <summary>Gives every B random values, as training would, so the adapter changes outputs.</summary>
    private static void Perturb(LoraAdapter adapter)
    {
        using var _ = no_grad();
        foreach (var branch in adapter.Branches) branch.B.copy_(randn_like(branch.B) * 0.5);
    }

    [Fact]
    public void A_fresh_adapter_leaves_every_output_unchanged()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var before = TinyBert.Hidden(model);
        var (beforeStart, _) = model.Forward(TinyBert.Batch().Ids, TinyBert.Batch().Mask, TinyBert.Batch().Types);

        using var adapter = (LoraAdapter)new LoraStrategy().Attach(model, new LoraOptions { TargetModules = ["all-linear"] });

        TinyBert.Hidden(model).allclose(before, rtol: 0, atol: 0).Should().BeTrue();
        model.Forward(TinyBert.Batch().Ids, TinyBert.Batch().Mask, TinyBert.Batch().Types).Start.allclose(beforeStart, rtol: 0, atol: 0).Should().BeTrue();
        adapter.Branches.Should().OnlyContain(b => b.B.abs().sum().item<float>() == 0);
        // A is kaiming-uniform with a = sqrt(5): bounded by 1 / sqrt(fan_in).
        adapter.Branches.Should().OnlyContain(b => b.A.abs().max().item<float>() <= 1 / MathF.Sqrt(32) + 1e-6f);
    }

    [Fact]
    public void Targets_trainable_parameters_and_counts_follow_the_options()
    {
        using var model = TinyBert.Model();
        using var defaults = new LoraStrategy().Attach(model, new LoraOptions { R = 8, Alpha = 8, TargetModules = ["query", "value"] });

        // PEFT's defaults, r 8 on query and value in 2 layers: 2 x 2 x (8 x 32 + 32 x 8) = 2,048, plus the QA head (2 x 32 + 2).
        defaults.TrainableParameters.Sum(p => p.Parameter.numel()).Should().Be(2048 + 66);
        defaults.TrainableParameters.Select(p => p.Name).Should().Contain("bert.encoder.layer.1.attention.self.value.lora_B.weight").And.Contain("qa_outputs.weight");
        model.NamedParameters.Where(p => p.Parameter.requires_grad).Select(p => p.Name).Should().BeEquivalentTo("qa_outputs.weight", "qa_outputs.bias");
        defaults.Dispose();

        using var second = TinyBert.Model();
        using var all = (LoraAdapter)new LoraStrategy().Attach(second, new LoraOptions { TargetModules = ["all-linear"], Bias = "lora_only", UseRsLora = true, R = 4, Alpha = 8 });
        all.Branches.Should().HaveCount(12);
        all.Branches.Should().OnlyContain(b => Math.Abs(b.Scaling - 8 / Math.Sqrt(4)) < 1e-12);
        all.TrainableParameters.Count(p => p.Name.EndsWith(".bias") && !p.Name.StartsWith("qa_outputs")).Should().Be(12);
    }

    [Fact]
    public void Merging_and_unmerging_keep_outputs_within_1e_5()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var original = TinyBert.Hidden(model);
        using var adapter = (LoraAdapter)new LoraStrategy().Attach(model, new LoraOptions { TargetModules = ["all-linear"] });
        Perturb(adapter);
        var adapted = TinyBert.Hidden(model);

        adapter.Merge();
        var merged = TinyBert.Hidden(model);
        adapter.Unmerge();
        var unmerged = TinyBert.Hidden(model);
        adapter.Enabled = false;
        var disabled = TinyBert.Hidden(model);

        (adapted - original).abs().max().item<float>().Should().BeGreaterThan(1e-3f);
        (merged - adapted).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (unmerged - adapted).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (disabled - original).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    /// <summary>
    /// One product through W + s B A (the default) is the same maths as PEFT's W x + s B (A x): same outputs and same
    /// A and B gradients, within fp32 rounding; with dropout or DoRA the branch keeps PEFT's products.
    /// </summary>
    [Fact]
    public void The_single_product_matches_pefts_two_products_in_outputs_and_gradients()
    {
        using var scope = NewDisposeScope();
        var (single, singleGrads) = StartLogitsAndGrads(singleProduct: true);
        var (separate, separateGrads) = StartLogitsAndGrads(singleProduct: false);

        (single - separate).abs().max().item<float>().Should().BeLessThan(1e-5f);
        singleGrads.Should().HaveCount(separateGrads.Count).And.HaveCountGreaterThan(20);
        for (int i = 0; i < singleGrads.Count; i++)
        {
            double scale = separateGrads[i].abs().max().item<float>();
            scale.Should().BeGreaterThan(0, "every A and B learns once B is non-zero");
            (singleGrads[i] - separateGrads[i]).abs().max().item<float>().Should().BeLessThan((float)(1e-4 * scale));
        }
        using var model = TinyBert.Model();
        using var dropout = (LoraAdapter)new LoraStrategy().Attach(model, new LoraOptions { Dropout = 0.1 });
        dropout.Branches.Should().OnlyContain(b => !b.SingleProduct);
        using var dora = (LoraAdapter)new LoraStrategy().Attach(model, new LoraOptions { UseDora = true });
        dora.Branches.Should().OnlyContain(b => !b.SingleProduct);
    }

    private static (Tensor StartLogits, List<Tensor> Gradients) StartLogitsAndGrads(bool singleProduct)
    {
        using var model = TinyBert.Model();
        manual_seed(3);
        using var adapter = (LoraAdapter)new LoraStrategy().Attach(model, new LoraOptions { TargetModules = ["all-linear"], SingleProduct = singleProduct });
        Perturb(adapter);
        adapter.Branches.Should().OnlyContain(b => b.SingleProduct == singleProduct);
        model.train();
        return TinyBert.StartAndGradients(model, adapter.Branches.SelectMany(b => new Tensor[] { b.A, b.B }));
    }

    [Fact]
    public void Several_adapters_on_one_base_can_be_switched_and_deleted()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var original = TinyBert.Hidden(model);
        var first = (LoraAdapter)new LoraStrategy().Attach(model, new LoraOptions());
        Perturb(first);
        var withFirst = TinyBert.Hidden(model);
        var second = (LoraAdapter)new LoraStrategy().Attach(model, new LoraOptions());
        Perturb(second);

        first.Enabled = false;
        var onlySecond = TinyBert.Hidden(model);
        second.Enabled = false;
        first.Enabled = true;
        TinyBert.Hidden(model).allclose(withFirst, atol: 1e-6).Should().BeTrue("activating the first adapter restores its outputs");
        second.Dispose();
        first.Dispose();

        onlySecond.allclose(withFirst, atol: 1e-4).Should().BeFalse();
        TinyBert.Hidden(model).allclose(original, atol: 1e-6).Should().BeTrue("deleting every adapter restores the base model");
        model.Linears.Values.Should().OnlyContain(l => l.Extensions.Count == 0);
    }

    [Fact]
    public void Files_use_pefts_layout_and_load_back_to_the_same_outputs()
    {
        using var folder = new TemporaryFolder();
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var options = new LoraOptions { R = 4, Alpha = 16 };
        using (var adapter = (LoraAdapter)new LoraStrategy().Attach(model, options))
        {
            Perturb(adapter);
            adapter.Save(folder.Path);
        }
        var (entries, _, _) = SafeTensors.ReadHeader(folder.Combine("adapter_model.safetensors"));
        entries.Select(e => e.Name).Should().Contain("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight")
            .And.Contain("base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight").And.Contain("base_model.model.qa_outputs.weight");
        entries.Single(e => e.Name.EndsWith("layer.0.attention.self.query.lora_A.weight")).Shape.Should().Equal(4, 32);
        var config = JsonNode.Parse(File.ReadAllText(folder.Combine("adapter_config.json")))!;
        config["peft_type"]!.GetValue<string>().Should().Be("LORA");
        config["task_type"]!.GetValue<string>().Should().Be("QUESTION_ANS");
        config["r"]!.GetValue<int>().Should().Be(4);
        config["lora_alpha"]!.GetValue<double>().Should().Be(16);
        config["modules_to_save"]![0]!.GetValue<string>().Should().Be("qa_outputs");

        using var reloadedModel = TinyBert.Model();
        var saved = TinyBert.Hidden(reloadedModel);
        using (var restored = new LoraStrategy().Attach(reloadedModel, options))
        {
            restored.Load(folder.Path);
            using var reference = TinyBert.Model();
            using var referenceAdapter = new LoraStrategy().Attach(reference, options);
            referenceAdapter.Load(folder.Path);
            TinyBert.Hidden(reloadedModel).allclose(TinyBert.Hidden(reference), rtol: 0, atol: 0).Should().BeTrue();
            TinyBert.Hidden(reloadedModel).allclose(saved, atol: 1e-4).Should().BeFalse("the loaded adapter is active");
        }
    }

    [Fact]
    public void A_peft_folder_without_a_peftqa_descriptor_loads_through_the_host()
    {
        using var folder = new TemporaryFolder();
        using var model = TinyBert.Model();
        using (var adapter = new LoraStrategy().Attach(model, new LoraOptions { R = 2, TargetModules = ["query", "value", "key"] })) adapter.Save(folder.Path);
        File.Exists(folder.Combine(AdapterFolder.DescriptorFile)).Should().BeFalse();

        using var target = TinyBert.Model();
        var catalog = new PluginCatalog([new LoadedPlugin("lora", "adapter-strategy", "1", "", "", [], new LoraStrategy())], []);
        using var loaded = AdapterFolder.Load(folder.Path, target, catalog);

        loaded.Should().BeOfType<LoraAdapter>().Which.Branches.Should().HaveCount(6);
    }

    [Fact]
    public void An_adapter_for_another_base_model_fails_with_what_was_expected()
    {
        using var folder = new TemporaryFolder();
        using var small = TinyBert.Model();
        var peftDefaults = new LoraOptions { R = 8, Alpha = 8, TargetModules = ["query", "value"] };
        using (var adapter = new LoraStrategy().Attach(small, peftDefaults)) adapter.Save(folder.Path);
        using var wider = new PeftQa.Host.Modeling.BertForQuestionAnswering(TinyBert.Config() with { HiddenSize = 48, NumAttentionHeads = 4 }, "wider");

        using var adapterOnWider = new LoraStrategy().Attach(wider, peftDefaults);
        var act = () => adapterOnWider.Load(folder.Path);

        act.Should().Throw<AdapterLoadException>().WithMessage("*is [8, 32] but this model (hidden 48, r 8) expects [8, 48]*another base model*");
    }

    [Theory]
    [InlineData("""{ "r": 600 }""", "r: 600 exceeds the hidden size")]
    [InlineData("""{ "targetModules": ["qury"] }""", "targetModules: unknown module 'qury'")]
    [InlineData("""{ "bias": "some" }""", "bias: expected one of none, all, lora_only")]
    public void Options_that_do_not_fit_the_model_fail_before_training(string options, string expected)
    {
        var bound = PluginOptionsSchema.Bind(new LoraStrategy(), System.Text.Json.JsonDocument.Parse(options).RootElement, "$.options");
        new LoraStrategy().Validate(bound, TinyBert.Config().Describe("tiny")).Should().Contain(p => p.StartsWith(expected));
    }

    [Theory]
    [InlineData("""{ "r": 0 }""", "$.options.r: expected a value of at least 1, got 0")]
    [InlineData("""{ "dropout": 1 }""", "$.options.dropout: expected a value from 0 up to but not including 1, got 1")]
    public void Options_outside_their_declared_range_fail_when_read(string options, string expected)
    {
        var act = () => PluginOptionsSchema.Bind(new LoraStrategy(), System.Text.Json.JsonDocument.Parse(options).RootElement, "$.options");
        act.Should().Throw<PeftQa.Host.Foundation.BadInputException>().Which.Problems.Should().Contain(expected);
    }
}
