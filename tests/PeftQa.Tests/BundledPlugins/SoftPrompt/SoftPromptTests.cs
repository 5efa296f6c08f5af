using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Plugins.SoftPrompt;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.BundledPlugins.SoftPrompt;

[Collection(SerialCollection.Name)]
public sealed class SoftPromptTests
{
    [Fact]
    public void Prompt_tuning_keeps_logits_aligned_and_trains_only_the_prompt_and_head()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var before = TinyBert.StartLogits(model);

        using var adapter = new PromptTuningStrategy().Attach(model, new PromptTuningOptions { VirtualTokens = 5, Init = "random" });

        var after = TinyBert.StartLogits(model);
        after.shape.Should().Equal(2, 8);
        (after - before).abs().max().item<float>().Should().BeGreaterThan(1e-5f);
        adapter.TrainableParameters.Select(p => p.Name).Should().Equal("prompt_embeddings", "qa_outputs.weight", "qa_outputs.bias");
        adapter.TrainableParameters[0].Parameter.shape.Should().Equal(5, 32);
        model.NamedParameters.Count(p => p.Parameter.requires_grad).Should().Be(2);
        adapter.Enabled = false;
        TinyBert.StartLogits(model).allclose(before, rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void Prompt_tuning_from_text_uses_the_texts_token_embeddings()
    {
        using var model = TinyBert.Model();
        model.TextTokenizer = _ => [7, 9];

        using var adapter = new PromptTuningStrategy().Attach(model, new PromptTuningOptions { VirtualTokens = 3, Init = "text", InitText = "answer the question" });

        var prompt = adapter.TrainableParameters[0].Parameter;
        var embeddings = model.EmbedTokens(tensor(new long[] { 7, 9, 7 }));
        prompt.allclose(embeddings, rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void A_prompt_longer_than_the_sequence_allows_is_rejected_with_the_limit()
    {
        var description = TinyBert.Config().Describe("tiny") with { SequenceLength = 48 };

        new PromptTuningStrategy().Validate(new PromptTuningOptions { VirtualTokens = 20 }, description)
            .Should().ContainSingle().Which.Should().Contain("exceed the model's 64 positions; use at most 16");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void P_tuning_v2_prefixes_every_layer_and_keeps_the_output_length(bool reparameterize)
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var before = TinyBert.StartLogits(model);

        using var adapter = new PTuningV2Strategy().Attach(model, new PTuningV2Options { PrefixLength = 4, Reparameterize = reparameterize, ProjectionHiddenSize = 16 });

        var prefixes = (IAttentionPrefixSource)adapter;
        var (key, value) = prefixes.Prefix(1, batchSize: 2);
        key.shape.Should().Equal(2, 4, 4, 8);
        value.shape.Should().Equal(2, 4, 4, 8);
        var after = TinyBert.StartLogits(model);
        after.shape.Should().Equal(2, 8);
        (after - before).abs().max().item<float>().Should().BeGreaterThan(1e-5f);
        adapter.TrainableParameters[0].Name.Should().Be("prompt_embeddings");
        adapter.TrainableParameters[0].Parameter.shape.Should().Equal(reparameterize ? [4, 32] : [4, 2 * 2 * 32]);
        model.NamedParameters.Where(p => p.Parameter.requires_grad).Select(p => p.Name).Should().BeEquivalentTo("qa_outputs.weight", "qa_outputs.bias");
    }

    [Fact]
    public void Saved_prompts_reload_and_refuse_another_strategys_files()
    {
        using var folder = new TemporaryFolder();
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        Tensor expected;
        using (var adapter = new PTuningV2Strategy().Attach(model, new PTuningV2Options { PrefixLength = 4 }))
        {
            expected = TinyBert.StartLogits(model);
            adapter.Save(folder.Path);
        }
        new PTuningV2Strategy().ReadSavedOptions(folder.Path).Should().BeOfType<PTuningV2Options>().Which.PrefixLength.Should().Be(4);
        new PromptTuningStrategy().ReadSavedOptions(folder.Path).Should().BeNull("the folder holds PREFIX_TUNING, not PROMPT_TUNING");

        using var fresh = TinyBert.Model();
        using (var restored = new PTuningV2Strategy().Attach(fresh, new PTuningV2Options { PrefixLength = 4 }))
        {
            restored.Load(folder.Path);
            TinyBert.StartLogits(fresh).allclose(expected, rtol: 0, atol: 0).Should().BeTrue();
        }
        using var other = TinyBert.Model();
        using var prompt = new PromptTuningStrategy().Attach(other, new PromptTuningOptions { VirtualTokens = 4, Init = "random" });
        var act = () => prompt.Load(folder.Path);
        act.Should().Throw<AdapterLoadException>().WithMessage("*is [4, 128] but this model*expects [4, 32]*");
    }
}
