using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Plugins.Lora;
using PeftQa.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Tests.Modeling;

/// <summary>
/// <c>peftqa export</c>: a fine-tuned model and a LoRA model (merged on export) give ONNX Runtime the logits TorchSharp
/// computes, on real padded SQuAD windows, and <c>eval --engine onnx</c> gives the TorchSharp engine's answers.
/// </summary>
[Collection(SerialCollection.Name)]
[Trait(PrecisionSensitive.Trait, PrecisionSensitive.Value)]
[Trait("Category", "Slow")]
public sealed class OnnxExportTests : IClassFixture<OnnxExportTests.TrainedStudies>
{
    /// <summary>Full fine-tuning, LoRA on every linear layer and prompt tuning of the built-in MiniLM, a few steps each.</summary>
    public sealed class TrainedStudies : IDisposable
    {
        private readonly TemporaryFolder folder = new();

        public TrainedStudies()
        {
            var recipe = $$"""
                {
                  "name": "export", "model": "builtin:minilm-l6", "seed": 5,
                  "tasks": [{ "name": "products", "train": "builtin:synthetic/products/train", "eval": "builtin:synthetic/products/eval", "maxTrainExamples": 32, "maxEvalExamples": 8 }],
                  "adapters": [
                    { "strategy": "full", "learningRate": 1e-4 },
                    { "strategy": "lora", "options": { "r": 4, "alpha": 8, "targetModules": ["all-linear"] }, "learningRate": 5e-3 },
                    { "strategy": "prompt-tuning", "options": { "virtualTokens": 4 }, "learningRate": 1e-2 }
                  ],
                  "training": { "batchSize": 8, "maxSteps": 3, "maxSequenceLength": 96, "docStride": 32, "logEvery": 3 },
                  "evaluation": { "metrics": ["f1"] },
                  "output": {{JsonSerializer.Serialize(folder.Combine("runs"))}}
                }
                """;
            var run = folder.Combine("run");
            var result = PeftqaCli.Run("run", folder.WriteFile("export.json", recipe), "--device", "cpu", "--out", run).GetAwaiter().GetResult();
            if (result.ExitCode != 0) throw new InvalidOperationException(result.Error);
            var studies = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "results.json")))!["studies"]!.AsArray();
            FullModel = studies[0]!["modelFolder"]!.GetValue<string>();
            LoraAdapter = studies[1]!["adapterFolder"]!.GetValue<string>();
            PromptAdapter = studies[2]!["adapterFolder"]!.GetValue<string>();
        }

        public string FullModel { get; }

        public string LoraAdapter { get; }

        public string PromptAdapter { get; }

        public string Combine(string name) => folder.Combine(name);

        public void Dispose() => folder.Dispose();
    }

    private readonly TrainedStudies studies;
    private readonly ITestOutputHelper output;

    public OnnxExportTests(TrainedStudies studies, ITestOutputHelper output) => (this.studies, this.output) = (studies, output);

    private static string Dev => Path.Combine(TestEnvironment.SharedData, "squad-v1.1", "dev.json");

    [Fact]
    public async Task An_exported_full_fine_tune_gives_torchsharp_logits_on_real_padded_squad_windows_and_the_same_answers()
    {
        var onnx = studies.Combine(Path.Combine("full-onnx", "model.onnx"));

        var export = await PeftqaCli.Run("export", "--model", studies.FullModel, "--onnx", onnx);

        export.ExitCode.Should().Be(0, export.Error);
        File.Exists(Path.Combine(Path.GetDirectoryName(onnx)!, "vocab.txt")).Should().BeTrue();
        using (var torch = InferenceModel.Load(studies.FullModel, null, Catalog(), CPU, NullLogger.Instance))
            MaxDifference(torch, onnx).Should().BeLessThan(1e-4);

        // Pinned to fp32: the default auto computes in bf16 on a CPU with AVX512_BF16, and the ONNX engine is fp32.
        var torchEval = await PeftqaCli.Run("eval", "--model", studies.FullModel, "--data", Dev, "--max-examples", "40", "--out", studies.Combine("eval-torch"), "--metrics", "f1",
            "--precision", "fp32");
        var onnxEval = await PeftqaCli.Run("eval", "--model", onnx, "--engine", "onnx", "--data", Dev, "--max-examples", "40", "--out", studies.Combine("eval-onnx"), "--metrics", "f1");
        torchEval.ExitCode.Should().Be(0, torchEval.Error);
        onnxEval.ExitCode.Should().Be(0, onnxEval.Error);
        File.ReadAllText(studies.Combine("eval-onnx/predictions.json")).Should().Be(File.ReadAllText(studies.Combine("eval-torch/predictions.json")));
        foreach (var engine in (string[])["eval-torch", "eval-onnx"])
            JsonNode.Parse(File.ReadAllText(studies.Combine(Path.Combine(engine, "metrics.json"))))!["precision"]!["used"]!.GetValue<string>().Should().Be("fp32", $"{engine} records what it computed in");
        var predict = await PeftqaCli.Run("predict", "--model", onnx, "--engine", "onnx", "--question", "What is the capital?", "--context", "Paris is the capital of France.");
        predict.ExitCode.Should().Be(0, predict.Error);
        predict.Out.Should().Contain("score");

        var onnxInBf16 = await PeftqaCli.Run("eval", "--model", onnx, "--engine", "onnx", "--data", Dev, "--max-examples", "4", "--out", studies.Combine("eval-onnx-bf16"),
            "--precision", "bf16");
        onnxInBf16.ExitCode.Should().Be(2, "the ONNX engine runs the fp32 export: bf16 is refused, not silently ignored");
        onnxInBf16.Error.Should().Contain("--precision bf16").And.Contain("ONNX");
        File.Exists(studies.Combine(Path.Combine("eval-onnx-bf16", "predictions.json"))).Should().BeFalse("nothing was computed");
    }

    [Fact]
    public async Task An_exported_lora_model_has_its_adapter_merged_and_gives_torchsharp_logits_with_the_adapter()
    {
        var onnx = studies.Combine(Path.Combine("lora-onnx", "lora.onnx"));

        var export = await PeftqaCli.Run("export", "--model", "builtin:minilm-l6", "--adapter", studies.LoraAdapter, "--onnx", onnx);

        export.ExitCode.Should().Be(0, export.Error);
        using var torch = InferenceModel.Load("builtin:minilm-l6", studies.LoraAdapter, Catalog(), CPU, NullLogger.Instance);
        MaxDifference(torch, onnx).Should().BeLessThan(1e-4);
        using var baseModel = InferenceModel.Load("builtin:minilm-l6", null, Catalog(), CPU, NullLogger.Instance);
        MaxDifference(baseModel, onnx).Should().BeGreaterThan(1e-3, "the adapter changed the model, so the export without it would differ");
    }

    [Fact]
    public async Task Exports_that_cannot_work_fail_before_writing_anything_with_the_reason()
    {
        var target = studies.Combine(Path.Combine("refused", "prompt.onnx"));

        var prompt = await PeftqaCli.Run("export", "--model", "builtin:minilm-l6", "--adapter", studies.PromptAdapter, "--onnx", target);
        var notOnnx = await PeftqaCli.Run("export", "--model", studies.FullModel, "--onnx", studies.Combine("model.bin"));
        var unwritable = await PeftqaCli.Run("export", "--model", studies.FullModel, "--onnx", "/proc/peftqa/model.onnx");
        var adapterWithOnnx = await PeftqaCli.Run("eval", "--model", target, "--engine", "onnx", "--adapter", studies.LoraAdapter, "--data", Dev, "--out", studies.Combine("x"));
        var onnxWithTorch = await PeftqaCli.Run("predict", "--model", target, "--question", "q", "--context", "c");

        prompt.ExitCode.Should().Be(2);
        prompt.Error.Should().Contain("soft-prompt adapter").And.Contain("cannot be merged");
        Directory.Exists(Path.GetDirectoryName(target)).Should().BeFalse("a refused export creates nothing");
        notOnnx.ExitCode.Should().Be(2);
        notOnnx.Error.Should().Contain("--onnx").And.Contain(".onnx");
        unwritable.ExitCode.Should().Be(2);
        unwritable.Error.Should().Contain("--onnx /proc/peftqa");
        adapterWithOnnx.ExitCode.Should().Be(2);
        adapterWithOnnx.Error.Should().Contain("export with --adapter");
        onnxWithTorch.ExitCode.Should().Be(2);
        onnxWithTorch.Error.Should().Contain("--engine onnx");
    }

    /// <summary>Max |TorchSharp - ONNX Runtime| over the start and end logits of real SQuAD dev windows, padded in one batch.</summary>
    private double MaxDifference(InferenceModel torch, string onnxPath)
    {
        using var onnx = OnnxQaModel.Load(onnxPath, threads: Environment.ProcessorCount);
        var examples = SquadReader.Read(Dev).Examples.Take(12).ToList();
        var features = new FeatureBuilder(torch.Tokenizer, 384, 128).Build(examples);
        features.Select(f => f.Length).Distinct().Should().HaveCountGreaterThan(1, "windows of different lengths, so the batch is padded");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var batch = FeatureBatch.Collate(features, torch.Tokenizer.PadId, CPU);
        var (start, end) = torch.Model.Forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
        var (onnxStart, onnxEnd) = onnx.Forward(batch);
        var real = batch.AttentionMask.to_type(ScalarType.Bool);
        double difference = Math.Max((start - onnxStart).abs().masked_select(real).max().item<float>(), (end - onnxEnd).abs().masked_select(real).max().item<float>());
        output.WriteLine($"{features.Count} windows, {batch.Length} tokens: max |TorchSharp - ONNX Runtime| = {difference:E2}");
        return difference;
    }

    private static PluginCatalog Catalog() =>
        new([new LoadedPlugin("lora", "adapter-strategy", "1", "", "", [], new LoraStrategy())], []);
}
