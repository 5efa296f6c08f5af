using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Runs;

/// <summary>peftqa run on a tiny model and synthetic data: the whole path, in seconds.</summary>
[Collection(SerialCollection.Name)]
[Trait("Category", "Slow")]
public sealed class EndToEndRunTests : IClassFixture<BuiltinModelFixture>
{
    private readonly BuiltinModelFixture builtin;

    public EndToEndRunTests(BuiltinModelFixture builtin) => this.builtin = builtin;

    public static string TinyRecipe(string modelFolder, int maxSteps, int checkpointEvery, string output) => $$"""
        {
          "name": "tiny",
          "model": {{JsonSerializer.Serialize(modelFolder)}},
          "seed": 3,
          "tasks": [
            { "name": "products", "train": "builtin:synthetic/products/train", "eval": "builtin:synthetic/products/eval", "maxTrainExamples": 96, "maxEvalExamples": 40 },
            { "name": "sports", "train": "builtin:synthetic/sports/train", "eval": "builtin:synthetic/sports/eval", "maxTrainExamples": 96, "maxEvalExamples": 40 }
          ],
          "training": { "learningRate": 5e-4, "batchSize": 8, "maxSteps": {{maxSteps}}, "checkpointEvery": {{checkpointEvery}}, "logEvery": 2,
                        "maxSequenceLength": 128, "docStride": 32 },
          "evaluation": { "metrics": ["exact_match", "f1", "bleu", "rougeL"] },
          "output": {{JsonSerializer.Serialize(output)}}
        }
        """;

    [Fact]
    public async Task A_run_writes_log_metrics_results_and_a_reloadable_model()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), builtin.Loaded.VocabPath);
        var recipe = folder.WriteFile("tiny.json", TinyRecipe(model, maxSteps: 6, checkpointEvery: 3, folder.Combine("runs")));
        var runFolder = folder.Combine("run");

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", runFolder);

        result.ExitCode.Should().Be(0, result.Error);
        result.Out.Should().Contain("before training").And.Contain("after products").And.Contain("after sports").And.Contain("exact_match");
        File.ReadAllLines(Path.Combine(runFolder, "log.json")).Should().Contain(l => l.Contains("Device {Device}", StringComparison.Ordinal));
        var steps = RunMetrics.Lines(runFolder).Select(l => JsonNode.Parse(l)!).ToList();
        steps.Select(s => (s["task"]!.GetValue<string>(), s["step"]!.GetValue<int>()))
            .Should().Equal(("products", 2), ("products", 4), ("products", 6), ("sports", 2), ("sports", 4), ("sports", 6));
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!;
        var study = results["studies"]![0]!;
        study["afterTask"]!.AsArray().Should().HaveCount(2);
        study["baseline"]!.AsArray().Should().HaveCount(2);
        var savedModel = study["modelFolder"]!.GetValue<string>();

        var evaluation = await PeftqaCli.Run("eval", "--model", savedModel, "--data", "builtin:synthetic/sports/eval", "--out", folder.Combine("eval"),
            "--max-examples", "40", "--seed", "3", "--max-length", "128", "--doc-stride", "32");

        evaluation.ExitCode.Should().Be(0, evaluation.Error);
        var f1 = JsonNode.Parse(evaluation.Out)!["f1"]!.GetValue<double>();
        f1.Should().BeApproximately(study["afterTask"]![1]![1]!["f1"]!.GetValue<double>(), 1e-9, "the saved model scores what the run measured");
        JsonNode.Parse(File.ReadAllText(folder.Combine("eval", "predictions.json")))!.AsObject().Should().HaveCount(40);
    }
}
