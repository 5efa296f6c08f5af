using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.Modeling;

/// <summary>Serial: loading seeds libtorch's process-wide generator, which a test beside this one could draw from.</summary>
[Collection(SerialCollection.Name)]
public sealed class InferenceModelTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_base_model_without_a_head_answers_the_same_on_every_load()
    {
        var checkpoint = HeadlessCheckpoint();
        var catalog = new PluginCatalog([], []);

        using var first = InferenceModel.Load(checkpoint, null, catalog, CPU, NullLogger.Instance);
        manual_seed(7);
        using (randn(1000)) { }
        using var second = InferenceModel.Load(checkpoint, null, catalog, CPU, NullLogger.Instance);

        var firstStart = TinyBert.StartLogits(first.Model);
        TinyBert.StartLogits(second.Model).allclose(firstStart, rtol: 0, atol: 0).Should().BeTrue(
            "the random head is drawn from a fixed seed, whatever was drawn before");
    }

    private string Vocabulary() => folder.WriteFile("vocab.txt",
        string.Join('\n', new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]" }.Concat(Enumerable.Range(4, 95).Select(i => $"w{i}"))));

    /// <summary>A tiny checkpoint saved without qa_outputs, as a base BertModel is.</summary>
    private string HeadlessCheckpoint()
    {
        var checkpoint = folder.Combine("base");
        using (var model = TinyBert.Model()) Checkpoint.Save(model, Vocabulary(), checkpoint);
        var weights = Path.Combine(checkpoint, Checkpoint.WeightsFile);
        var tensors = SafeTensors.Load(weights);
        SafeTensors.Save(weights, tensors.Where(t => !BertForQuestionAnswering.IsHeadParameter(t.Key)).ToList());
        foreach (var tensor in tensors.Values) tensor.Dispose();
        return checkpoint;
    }
}
