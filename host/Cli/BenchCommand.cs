using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeftQa.Host.Modeling;
using PeftQa.Host.Training;
using Spectre.Console;

namespace PeftQa.Host.Cli;

public sealed record BenchRequest(string Model, int Batch, int Length, int Iterations, bool Json);

/// <summary><c>peftqa bench</c>: inference and training-step throughput, MFU, and the ratio to ONNX Runtime.</summary>
public sealed class BenchCommand(TorchRuntime torch, IOptions<PeftQaSettings> settings, CliConsole console, ILogger<BenchCommand> logger)
{
    public int Execute(BenchRequest request)
    {
        if (request.Batch < 1 || request.Length < 8 || request.Iterations < 1)
            throw new BadInputException("--batch and --iterations must be at least 1 and --length at least 8");
        var device = torch.Device;
        if (device.type != TorchSharp.DeviceType.CPU)
            logger.LogWarning("bench measures the CPU path; tensors stay on the CPU");
        var loaded = ModelSources.Load(request.Model, Directory.GetCurrentDirectory(), logger);
        using var model = loaded.Model;
        byte[]? onnx = request.Model.Equals(ModelSources.MiniLmL6, StringComparison.OrdinalIgnoreCase) ? BuiltinModels.ReadOnnx() : null;
        int threads = settings.Value.Threads ?? Environment.ProcessorCount;

        var result = ThroughputBenchmark.Run(model, onnx, request.Batch, request.Length, request.Iterations, threads,
            step => logger.LogInformation("Measuring {Step}", step));

        if (request.Json)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
            return PeftQaCommandLine.Success;
        }
        var table = new Table().AddColumns("Measure", "Value");
        table.AddRow("model, batch x length, threads", $"{result.Model}, {result.Batch} x {result.Length}, {result.Threads}");
        table.AddRow("fp32 matmul 2048^3", $"{result.MatmulGflops:F1} GFLOP/s");
        table.AddRow("model forward", $"{result.ForwardGflopPerExample:F2} GFLOP per example");
        table.AddRow("inference", $"{result.InferenceExamplesPerSecond:F2} examples/s (MFU {result.InferenceMfu:F2})");
        table.AddRow($"training step (attention dropout {result.AttentionDropout})", $"{result.TrainingExamplesPerSecond:F2} examples/s (MFU {result.TrainingMfu:F2})");
        table.AddRow("training step (attention dropout 0, fused attention)", $"{result.FusedAttentionTrainingExamplesPerSecond:F2} examples/s (MFU {result.FusedAttentionTrainingMfu:F2})");
        table.AddRow("ONNX Runtime inference", double.IsNaN(result.OnnxRuntimeExamplesPerSecond) ? "n/a (not a built-in ONNX model)" : $"{result.OnnxRuntimeExamplesPerSecond:F2} examples/s");
        table.AddRow("inference / ONNX Runtime", double.IsNaN(result.InferenceVsOnnxRuntime) ? "n/a" : $"{result.InferenceVsOnnxRuntime:F2}x");
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Out), Ansi = console.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No });
        terminal.Write(table);
        return PeftQaCommandLine.Success;
    }
}
