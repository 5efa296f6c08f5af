using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Modeling;

/// <summary>The built-in model's cache entry: converted atomically, verified on use, rebuilt when damaged.</summary>
public sealed class BuiltinModelCacheTests
{
    [Fact]
    public void A_damaged_or_unfinished_cache_entry_is_detected_and_rebuilt()
    {
        using var cache = new TemporaryFolder();
        var folder = BuiltinModels.EnsureCheckpoint(ModelSources.MiniLmL6, NullLogger.Instance, cache.Path);
        BuiltinModels.VerifyManifest(folder).Should().BeNull();
        Directory.GetDirectories(cache.Path).Should().ContainSingle("no staging folder is left behind");
        var weights = Path.Combine(folder, "model.safetensors");
        var good = File.ReadAllBytes(weights);

        // Flip one byte in the middle of the weights: same size, wrong checksum.
        var damaged = (byte[])good.Clone();
        damaged[damaged.Length / 2] ^= 0xFF;
        File.WriteAllBytes(weights, damaged);
        BuiltinModels.VerifyManifest(folder).Should().Contain("checksum");
        BuiltinModels.EnsureCheckpoint(ModelSources.MiniLmL6, NullLogger.Instance, cache.Path).Should().Be(folder);
        File.ReadAllBytes(weights).Should().Equal(good);

        // A conversion that died before writing its manifest.
        File.Delete(Path.Combine(folder, "peftqa-manifest.json"));
        BuiltinModels.VerifyManifest(folder).Should().Contain("did not finish");
        BuiltinModels.EnsureCheckpoint(ModelSources.MiniLmL6, NullLogger.Instance, cache.Path);
        BuiltinModels.VerifyManifest(folder).Should().BeNull();
    }

    [Fact]
    public void The_converted_checkpoint_has_hugging_face_files_and_all_encoder_weights()
    {
        using var cache = new TemporaryFolder();
        var folder = BuiltinModels.EnsureCheckpoint(ModelSources.MiniLmL6, NullLogger.Instance, cache.Path);

        var config = BertConfig.Load(Path.Combine(folder, "config.json"));
        config.HiddenSize.Should().Be(384);
        config.NumHiddenLayers.Should().Be(6);
        config.NumAttentionHeads.Should().Be(12);
        config.IntermediateSize.Should().Be(1536);
        config.LayerNormEps.Should().Be(1e-12);
        File.ReadLines(Path.Combine(folder, "vocab.txt")).Should().HaveCount(30522);
        var (entries, _, _) = PeftQa.Abstractions.SafeTensors.ReadHeader(Path.Combine(folder, "model.safetensors"));
        var names = entries.Select(e => e.Name).ToList();
        names.Should().Contain("encoder.layer.5.attention.self.query.weight").And.Contain("encoder.layer.0.output.dense.weight")
            .And.Contain("embeddings.word_embeddings.weight").And.Contain("pooler.dense.weight");
        entries.Single(e => e.Name == "encoder.layer.0.intermediate.dense.weight").Shape.Should().Equal(1536, 384);
    }
}
