using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;
using PeftQa.Host.Foundation;

namespace PeftQa.Tests.Modeling;

public sealed class CheckpointTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string SaveTiny(string name = "ckpt")
    {
        using var model = TinyBert.Model();
        var vocab = folder.WriteFile("vocab.txt", string.Join('\n', new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]" }.Concat(Enumerable.Range(4, 95).Select(i => $"w{i}"))));
        Checkpoint.Save(model, vocab, folder.Combine(name));
        return folder.Combine(name);
    }

    private static IReadOnlyList<string> ProblemsLoading(string path, bool allowPickle = false)
    {
        var act = () => Checkpoint.Load(path, NullLogger.Instance, allowPickle: allowPickle);
        return act.Should().Throw<BadInputException>().Which.Problems;
    }

    [Theory]
    [InlineData("config.json")]
    [InlineData("vocab.txt")]
    [InlineData("model.safetensors")]
    public void A_missing_file_is_named(string file)
    {
        var checkpoint = SaveTiny();
        File.Delete(Path.Combine(checkpoint, file));

        ProblemsLoading(checkpoint).Should().ContainSingle().Which.Should().Contain(Path.Combine(checkpoint, file)).And.Contain("not found");
    }

    [Fact]
    public void A_config_that_does_not_match_the_weights_names_the_tensor()
    {
        var checkpoint = SaveTiny();
        var config = File.ReadAllText(Path.Combine(checkpoint, "config.json")).Replace("\"intermediate_size\": 64", "\"intermediate_size\": 48");
        File.WriteAllText(Path.Combine(checkpoint, "config.json"), config);

        ProblemsLoading(checkpoint).Should().Contain(p =>
            p.Contains("model.safetensors: tensor 'bert.encoder.layer.0.intermediate.dense.weight' has shape [64, 32]") && p.Contains("expects [48, 32]"));
    }

    [Fact]
    public void A_truncated_weights_file_names_the_file_and_the_tensor()
    {
        var checkpoint = SaveTiny();
        var weights = Path.Combine(checkpoint, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length - 100)]);

        ProblemsLoading(checkpoint).Should().ContainSingle().Which.Should().Contain(weights).And.Contain("truncated").And.Contain("tensor '");
    }

    [Fact]
    public void A_config_that_is_not_bert_is_rejected_with_the_field()
    {
        var checkpoint = SaveTiny();
        var path = Path.Combine(checkpoint, "config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"model_type\": \"bert\"", "\"model_type\": \"gpt2\""));

        ProblemsLoading(checkpoint).Should().Contain($"{path}: $.model_type: expected \"bert\", got \"gpt2\"");
    }

    [Fact]
    public void A_pickle_checkpoint_needs_an_explicit_allow()
    {
        var checkpoint = SaveTiny();
        File.Move(Path.Combine(checkpoint, "model.safetensors"), Path.Combine(checkpoint, "pytorch_model.bin"));

        ProblemsLoading(checkpoint).Should().ContainSingle().Which.Should().Contain("pickle checkpoints can run code");
        ProblemsLoading(checkpoint, allowPickle: true).Should().ContainSingle().Which.Should().Contain("cannot read the pickled state dict");
    }

    [Fact]
    public void A_base_model_without_a_head_gets_the_hugging_face_initialisation_and_reports_its_keys()
    {
        var checkpoint = SaveTiny();
        var weights = Path.Combine(checkpoint, "model.safetensors");
        var tensors = SafeTensors.Load(weights);
        // A base BertModel checkpoint: no "bert." prefix, no head, plus a pooler this model does not use.
        var baseModel = tensors.Where(t => t.Key.StartsWith("bert.")).Select(t => new KeyValuePair<string, Tensor>(t.Key["bert.".Length..], t.Value))
            .Append(new("pooler.dense.weight", zeros(32, 32))).ToList();
        SafeTensors.Save(weights, baseModel);

        var loaded = Checkpoint.Load(checkpoint, NullLogger.Instance);

        loaded.Report.HeadInitialized.Should().BeTrue();
        loaded.Report.MissingKeys.Should().BeEquivalentTo("qa_outputs.weight", "qa_outputs.bias");
        loaded.Report.UnexpectedKeys.Should().Equal("pooler.dense.weight");
        var head = loaded.Model.NamedParameters.Single(p => p.Name == "qa_outputs.weight").Parameter;
        head.std().item<float>().Should().BeApproximately(0.02f, 0.01f);
        loaded.Model.NamedParameters.Single(p => p.Name == "qa_outputs.bias").Parameter.abs().sum().item<float>().Should().Be(0);
    }
}
