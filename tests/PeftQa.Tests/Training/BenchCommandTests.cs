using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Training;

/// <summary>peftqa bench --json prints the figures the speed work is judged by, each measured (never a fixed value) or null when it cannot be.</summary>
[Collection(SerialCollection.Name)]
[Trait("Category", "Slow")]
public sealed class BenchCommandTests
{
    [Fact]
    public async Task Bench_json_reports_every_route_lora_against_full_and_the_squad_speedup_of_the_defaults()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);
        folder.WriteFile("data/squad-v1.1/train.json", TinyRuns.Squad);

        var withData = await PeftqaCli.Run("bench", "--model", model, "--batch", "2", "--length", "64", "--iterations", "1", "--json",
            "--data-root", folder.Combine("data"), "--device", "cpu");
        var withoutData = await PeftqaCli.Run("bench", "--model", model, "--batch", "2", "--length", "64", "--iterations", "1", "--json", "--device", "cpu");

        withData.ExitCode.Should().Be(0, withData.Error);
        var json = JsonNode.Parse(withData.Out)!;
        foreach (var key in (string[])["matmulGflopsFp32Default", "matmulGflopsFp32", "matmulGflopsBf16", "loraStepVsFull", "squadTrainingSpeedup",
                     "exportedOnnxExamplesPerSecond", "inferenceVsExportedOnnx", "bf16InferenceExamplesPerSecond"])
            json[key]!.GetValue<double>().Should().BePositive(key);
        json["inferenceVsOnnxRuntime"].Should().BeNull("a folder model has no ONNX file of its own to compare with");
        json["matmulGflops"]!.GetValue<double>().Should().Be(Math.Max(json["matmulGflopsFp32"]!.GetValue<double>(), json["matmulGflopsBf16"]!.GetValue<double>()),
            "MFU is stated against the best route");
        var defaultPrecision = PeftQa.Host.Modeling.Bf16Support.Of(TorchSharp.torch.CPU).Native ? "bf16" : "fp32";
        var defaults = PeftQa.Host.Training.TrainingLayout.Defaults(new PeftQa.Host.Modeling.BertConfig(), TorchSharp.torch.ScalarType.Float32);
        withData.Error.Should().Contain("Measuring SQuAD training on 3 windows, before: plain shuffled batches, attention dropout 0.1, " +
                                        "hidden dropout the model's, fp32")
            .And.Contain($"the defaults: grouped by length, attention dropout 0, hidden dropout {defaults.HiddenDropout?.ToString() ?? "the model's"}, " +
                         defaultPrecision, "the defaults include auto precision");
        json["trainingPrecision"]!.GetValue<string>().Should().Be(defaultPrecision, "the headline step uses auto");
        json["trainingAttentionDropout"]!.GetValue<double>().Should().Be(0);
        json["trainingMfu"]!.GetValue<double>().Should().BePositive();
        json["fp32Products"]!.GetValue<string>().Should().Be(PeftQa.Host.Modeling.Fp32ProductRoute.Of(TorchSharp.torch.CPU).Name);
        if (PeftQa.Host.Modeling.Fp32ProductRoute.OneDnnPossibleHere().Possible)
            json["matmulGflopsFp32OneDnn"]!.GetValue<double>().Should().BePositive("this CPU allows oneDNN's fp32 kernels");
        else json["matmulGflopsFp32OneDnn"].Should().BeNull("this CPU does not allow oneDNN's fp32 kernels");
        json["bf16InferenceExamplesPerSecond"]!.GetValue<double>().Should().BePositive("bf16 mixed-precision inference is measured too");
        json["bf16InferenceVsOnnxRuntime"].Should().BeNull("no ONNX file of its own to compare with");
        withoutData.ExitCode.Should().Be(0, withoutData.Error);
        JsonNode.Parse(withoutData.Out)!["squadTrainingSpeedup"].Should().BeNull("no data root, no SQuAD windows");
    }

    [Fact]
    public async Task Bench_profile_splits_each_strategys_step_into_phases_and_ops()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);
        string[] shape = ["--model", model, "--batch", "2", "--length", "64", "--iterations", "1", "--precision", "fp32", "--device", "cpu"];

        var json = await PeftqaCli.Run(["bench", "--profile", "--json", .. shape]);
        var table = await PeftqaCli.Run(["bench", "--profile", .. shape]);

        json.ExitCode.Should().Be(0, json.Error);
        var steps = JsonNode.Parse(json.Out)!["steps"]!.AsArray();
        steps.Select(s => s!["strategy"]!.GetValue<string>()).Should().Equal("full", "lora");
        foreach (var step in steps)
        {
            step!["precision"]!.GetValue<string>().Should().Be("fp32");
            foreach (var key in (string[])["stepSeconds", "profiledSeconds", "forwardSeconds", "backwardSeconds", "optimizerSeconds"])
                step[key]!.GetValue<double>().Should().BePositive(key);
            var forward = step["forward"]!.AsObject();
            forward.Select(p => p.Key).Should().Equal("products", "attention", "casts", "norms", "dropout", "rest");
            foreach (var key in (string[])["products", "attention", "norms", "rest"])
                forward[key]!.GetValue<double>().Should().BePositive($"the forward pass runs {key}");
            step["backward"]!["products"]!.GetValue<double>().Should().BePositive();
            forward.Sum(p => p.Value!.GetValue<double>()).Should().BeApproximately(step["forwardSeconds"]!.GetValue<double>(), 1e-9);
        }
        table.ExitCode.Should().Be(0, table.Error);
        table.Out.Should().Contain("clipping + AdamW").And.Contain("products").And.Contain("fp32 products:");
    }

    [Fact]
    public async Task Bench_takes_precision_like_run_and_names_the_cpu_flags_its_figures_depend_on()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);

        var result = await PeftqaCli.Run("bench", "--model", model, "--batch", "2", "--length", "64", "--iterations", "1", "--json",
            "--precision", "fp32", "--device", "cpu");

        result.ExitCode.Should().Be(0, result.Error);
        var json = JsonNode.Parse(result.Out)!;
        json["precision"]!.GetValue<string>().Should().Be("fp32", "--precision fp32 holds whatever auto would resolve to here");
        result.Error.Should().Contain("Precision fp32: fp32 asked for");
        json["loraStepVsFull"]!.GetValue<double>().Should().BePositive("the strategies' steps ran in the precision asked for");
        var cpuinfo = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags")) : null;
        var present = cpuinfo is null ? [] : cpuinfo[(cpuinfo.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        string[] relevant = ["avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8"];
        json["cpuFlags"]!.AsArray().Select(f => f!.GetValue<string>()).Should().Equal(relevant.Where(present.Contains),
            "the figures name the host class they were measured on");
    }
}
