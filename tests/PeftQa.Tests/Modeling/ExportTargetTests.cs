using FluentAssertions;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Modeling;

/// <summary><c>peftqa export</c> into a folder that already holds a model's files: never overwrites another model's config.json or vocab.txt.</summary>
[Collection(SerialCollection.Name)]
public sealed class ExportTargetTests
{
    [Fact]
    public async Task Export_into_another_models_folder_is_refused_naming_its_config_and_writes_nothing()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);
        var other = SaveModel(folder.Combine("other"), TinyBert.Config() with { VocabSize = 30522, NumHiddenLayers = 3 });
        var otherConfig = Path.Combine(other, Checkpoint.ConfigFile);
        var before = File.ReadAllBytes(otherConfig);

        var result = await PeftqaCli.Run("export", "--model", model, "--onnx", Path.Combine(other, "x.onnx"));

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().Contain($"{otherConfig} already exists and describes another model");
        File.ReadAllBytes(otherConfig).Should().Equal(before, "the other model's config.json is left as it was");
        File.Exists(Path.Combine(other, "x.onnx")).Should().BeFalse("a refused export writes nothing");
    }

    [Fact]
    public async Task Export_beside_a_different_vocabulary_is_refused_naming_it()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);
        var target = Directory.CreateDirectory(folder.Combine("target")).FullName;
        var vocab = folder.WriteFile("target/vocab.txt", "[PAD]\n[UNK]\nhello\n");

        var result = await PeftqaCli.Run("export", "--model", model, "--onnx", Path.Combine(target, "x.onnx"));

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().Contain($"{vocab} already exists and differs from this model's vocabulary");
        File.ReadAllText(vocab).Should().Be("[PAD]\n[UNK]\nhello\n");
        File.Exists(Path.Combine(target, "x.onnx")).Should().BeFalse();
    }

    [Fact]
    public async Task Export_into_the_models_own_folder_keeps_its_files_and_loads()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);
        var config = Path.Combine(model, Checkpoint.ConfigFile);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"model_type\"", "\"transformers_version\": \"4.40.0\",\n  \"model_type\""));
        var before = File.ReadAllBytes(config);
        var onnx = Path.Combine(model, "model.onnx");

        var export = await PeftqaCli.Run("export", "--model", model, "--onnx", onnx);
        var again = await PeftqaCli.Run("export", "--model", model, "--onnx", onnx);
        var predict = await PeftqaCli.Run("predict", "--model", onnx, "--engine", "onnx", "--question", "What is the capital?", "--context", "Paris is the capital of France.");

        export.ExitCode.Should().Be(0, export.Error);
        again.ExitCode.Should().Be(0, again.Error);
        File.ReadAllBytes(config).Should().Equal(before, "a config.json that describes this model is kept, fields export does not know included");
        predict.ExitCode.Should().Be(0, predict.Error);
    }

    private static string SaveModel(string path, BertConfig config)
    {
        using var model = new BertForQuestionAnswering(config, "other");
        Checkpoint.Save(model, TinyRuns.Vocabulary, path);
        return path;
    }
}
