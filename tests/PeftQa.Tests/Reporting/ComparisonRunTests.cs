using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Reporting;

/// <summary>Several strategies, including a third party's, trained on the same data, seed and budget, then compared.</summary>
[Collection(SerialCollection.Name)]
[Trait("Category", "Slow")]
public sealed class ComparisonRunTests
{
    [Fact]
    public async Task A_comparison_trains_every_strategy_and_writes_table_json_and_chart()
    {
        using var folder = new TemporaryFolder();
        var vocab = Path.Combine(BuiltinModels.EnsureCheckpoint(ModelSources.MiniLmL6, NullLogger.Instance), "vocab.txt");
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), vocab);
        TemporaryFolder.CopyFolder(Path.Combine(TestEnvironment.OutputFolder, "third-party", "SamplePlugin"), folder.Combine("plugins", "SamplePlugin"));
        var recipe = folder.WriteFile("compare.json", $$"""
            {
              "name": "compare-tiny", "model": {{JsonSerializer.Serialize(model)}}, "seed": 5, "plugins": ["plugins"],
              "tasks": [{ "name": "chemistry", "train": "builtin:synthetic/chemistry/train", "eval": "builtin:synthetic/chemistry/eval", "maxTrainExamples": 64, "maxEvalExamples": 24 }],
              "adapters": [
                { "strategy": "full" },
                { "strategy": "lora", "options": { "r": 4, "targetModules": ["query", "value"] } },
                { "strategy": "p-tuning-v2", "options": { "prefixLength": 4 } },
                { "strategy": "prompt-tuning", "options": { "virtualTokens": 4, "init": "vocab" } },
                { "strategy": "sample-bitfit", "label": "bitfit (third party)" }
              ],
              "training": { "learningRate": 1e-3, "batchSize": 8, "maxSteps": 4, "maxSequenceLength": 96, "docStride": 32 },
              "evaluation": { "metrics": ["exact_match", "f1", "bleu", "rougeL"], "curve": { "every": 2, "questions": 10 } }
            }
            """);
        var runFolder = folder.Combine("run");

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", runFolder);

        result.ExitCode.Should().Be(0, result.Error);
        var rows = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "compare.json")))!.AsArray();
        rows.Select(r => r!["study"]!.GetValue<string>()).Should().Equal("full", "lora", "p-tuning-v2", "prompt-tuning", "bitfit (third party)");
        var trainable = rows.ToDictionary(r => r!["study"]!.GetValue<string>(), r => r!["trainablePercent"]!.GetValue<double>());
        trainable["full"].Should().Be(100);
        trainable.Where(t => t.Key != "full").Should().OnlyContain(t => t.Value > 0 && t.Value < 1, "every parameter-efficient strategy trains under 1%");
        rows.Should().OnlyContain(r => r!["scores"]!["f1"] != null && r["adapterMegabytes"]!.GetValue<double>() > 0 && r["peakMemoryMegabytes"]!.GetValue<double>() > 0);
        File.ReadAllText(Path.Combine(runFolder, "compare.md")).Should().Contain("| lora (lora) |").And.Contain("train examples/s");
        var curve = RunMetrics.Lines(runFolder).Select(l => JsonNode.Parse(l)!).Where(n => n["event"]?.GetValue<string>() == "curve").ToList();
        curve.GroupBy(n => n["study"]!.GetValue<string>()).Should().HaveCount(5, "every study draws its curve");
        foreach (var study in curve.GroupBy(n => n["study"]!.GetValue<string>()))
        {
            study.Select(n => n["step"]!.GetValue<int>()).Should().Equal(2, 4);
            study.Select(n => n["training_seconds"]!.GetValue<double>()).Should().BeInAscendingOrder().And.OnlyContain(x => x > 0);
            study.Should().OnlyContain(n => n["f1"]!.GetValue<double>() >= 0 && n["exact_match"] != null);
        }
        var png = File.ReadAllBytes(Path.Combine(runFolder, "compare.png"));
        png.Take(4).Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G');
        System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)).Should().BeGreaterThan(1280, "the bars and both learning-curve panels side by side");
        File.Exists(Path.Combine(runFolder, "studies", "lora", "model", "model.safetensors")).Should().BeTrue("LoRA merges into a complete model");
        File.Exists(Path.Combine(runFolder, "studies", "p-tuning-v2", "adapter", "adapter_config.json")).Should().BeTrue();

        // The saved LoRA adapter reproduces the run's score through --adapter, and so does the merged model.
        var loraF1 = rows[1]!["scores"]!["f1"]!["mean"]!.GetValue<double>();
        foreach (var row in rows)
        {
            var ci = row!["scores"]!["f1"]!["ci95"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
            ci[0].Should().BeLessThanOrEqualTo(row["scores"]!["f1"]!["mean"]!.GetValue<double>()).And.BeGreaterThanOrEqualTo(0);
            ci[1].Should().BeGreaterThanOrEqualTo(row["scores"]!["f1"]!["mean"]!.GetValue<double>()).And.BeLessThanOrEqualTo(100);
        }
        rows[0]!["reference"].Should().BeNull("full, the first study, is the reference");
        var loraDifference = rows[1]!["differenceFromReference"]!["f1"]!;
        loraDifference["mean"]!.GetValue<double>().Should().BeApproximately(loraF1 - rows[0]!["scores"]!["f1"]!["mean"]!.GetValue<double>(), 1e-9);
        loraDifference["excludesZero"]!.GetValue<bool>().Should().Be(loraDifference["ci95"]![0]!.GetValue<double>() > 0 || loraDifference["ci95"]![1]!.GetValue<double>() < 0);
        File.ReadAllText(Path.Combine(runFolder, "compare.md")).Should().Contain("Difference from the reference, full");
        File.ReadAllText(Path.Combine(runFolder, "report.md")).Should().Contain("## Scores after the last task").And.Contain("f1 - reference");
        result.Out.Should().Contain("scores after the last task [95% interval]");
        foreach (var args in new[]
                 {
                     new[] { "--model", model, "--adapter", Path.Combine(runFolder, "studies", "lora", "adapter") },
                     new[] { "--model", Path.Combine(runFolder, "studies", "lora", "model") },
                 })
        {
            var evaluation = await PeftqaCli.Run(["eval", .. args, "--data", "builtin:synthetic/chemistry/eval", "--out", folder.Combine("eval"),
                "--max-examples", "24", "--seed", "5", "--max-length", "96", "--doc-stride", "32", "--device", "cpu"]);
            evaluation.ExitCode.Should().Be(0, evaluation.Error);
            JsonNode.Parse(evaluation.Out)!["f1"]!.GetValue<double>().Should().BeApproximately(loraF1, 1e-6);
        }

        var rebuilt = await PeftqaCli.Run("compare", runFolder, "--out", folder.Combine("rebuilt"));
        rebuilt.ExitCode.Should().Be(0, rebuilt.Error);
        File.ReadAllText(folder.Combine("rebuilt", "compare.md")).Should().Be(File.ReadAllText(Path.Combine(runFolder, "compare.md")).Replace("compare-tiny: strategy comparison", "Strategy comparison"));
    }
}
