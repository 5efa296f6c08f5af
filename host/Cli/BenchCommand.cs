using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Host.Reporting;
using PeftQa.Host.Runs.Benchmarks;
using Spectre.Console;

namespace PeftQa.Host.Cli;

/// <summary><c>peftqa bench</c>: what <see cref="BenchExecution"/> measured, as a table or JSON.</summary>
public static class BenchCommand
{
    public static Command Create(VerbSetup verbs)
    {
        var model = new Option<string>("--model") { Description = "Model to measure.", DefaultValueFactory = _ => "builtin:minilm-l6" };
        var batch = new Option<int>("--batch") { Description = "Examples per batch.", DefaultValueFactory = _ => 16 };
        var length = new Option<int>("--length") { Description = "Tokens per example.", DefaultValueFactory = _ => 384 };
        var iterations = new Option<int>("--iterations")
            { Description = "Timed iterations per measure (median reported).", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var profile = new Option<bool>("--profile")
        {
            Description = "Instead of throughput, split each strategy's training step (full, LoRA, --strategies) into forward, backward and " +
                          "optimizer, and forward and backward into products, attention, casts, norms, dropout and the rest; " +
                          "in fp32 and bf16, or in --precision only.",
        };
        var strategies = new Option<string[]>("--strategies")
        {
            Description = "Also time a training step with these adapter strategies (default options; LoRA always r 8 on query and value, " +
                          "as loraStepVsFull is defined), against full fine-tuning.",
            AllowMultipleArgumentsPerToken = true,
        };
        var dataRoot = new DataRootOption(
            "Data root holding squad-v1.1/train.json (default: $PEFTQA_DATA): also measures squadTrainingSpeedup on real SQuAD windows.");
        var precision = new PrecisionOption("auto, the recipe default, for the strategies' training steps and the SQuAD defaults");
        var bench = new Command("bench", "Measure inference and training-step throughput, MFU and the ratio to ONNX Runtime.")
            { model, batch, length, iterations, json, profile, strategies, dataRoot.Option, precision.Option };
        verbs.Handle(bench, (parse, services, token) =>
        {
            var request = new BenchRequest(parse.GetValue(model)!, parse.GetValue(batch), parse.GetValue(length), parse.GetValue(iterations),
                parse.GetValue(strategies), dataRoot.Read(parse), precision.Read(parse), parse.GetValue(profile));
            var execution = services.GetRequiredService<BenchExecution>();
            if (request.Profile) ProfileTable.Print(execution.Profile(request, token), parse.GetValue(json), verbs.Console);
            else Print(execution.Measure(request, token), parse.GetValue(json), verbs.Console);
            return PeftQaCommandLine.Success;
        });
        return bench;
    }

    private static void Print(BenchReport report, bool asJson, CliConsole console)
    {
        var result = report.Throughput;
        double loraStepVsFull = report.LoraStepVsFull, squadSpeedup = report.SquadTrainingSpeedup;
        if (asJson)
        {
            var json = WithNullsForNaN(JsonSerializer.SerializeToNode(result, JsonOptions)!.AsObject());
            json["strategies"] = JsonSerializer.SerializeToNode(report.Strategies, JsonOptions);
            json["loraStepVsFull"] = double.IsNaN(loraStepVsFull) ? null : loraStepVsFull;
            json["squadTrainingSpeedup"] = double.IsNaN(squadSpeedup) ? null : squadSpeedup;
            json["precision"] = report.Precision.Used.ToString().ToLowerInvariant();
            json["fp32Products"] = report.Fp32Products.Name;
            json["cpuFlags"] = new JsonArray([.. report.CpuFlags.Select(flag => (JsonNode?)flag)]);
            console.Out.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return;
        }
        var table = new Table().AddColumns("Measure", "Value");
        table.AddRow("CPU flags (compare figures only between hosts with the same)", Markup.Escape(string.Join(", ", report.CpuFlags)));
        table.AddRow("training steps' precision", Markup.Escape(report.Precision.ToString()));
        table.AddRow("model, batch x length, threads", $"{result.Model}, {result.Batch} x {result.Length}, {result.Threads}");
        table.AddRow("fp32 products", Markup.Escape(report.Fp32Products.ToString()));
        string oneDnn = double.IsNaN(result.MatmulGflopsFp32OneDnn) ? "n/a" : $"{result.MatmulGflopsFp32OneDnn:F1}";
        table.AddRow("matmul 2048^3: fp32 default kernels, fp32 oneDNN, fp32 as run, bf16",
            $"{result.MatmulGflopsFp32Default:F1}, {oneDnn}, " +
            $"{result.MatmulGflopsFp32:F1}, {result.MatmulGflopsBf16:F1} GFLOP/s (MFU against {result.MatmulGflops:F1})");
        table.AddRow("model forward", $"{result.ForwardGflopPerExample:F2} GFLOP per example");
        table.AddRow("inference", $"{result.InferenceExamplesPerSecond:F2} examples/s (MFU {result.InferenceMfu:F2})");
        table.AddRow($"training step, recipe defaults ({result.TrainingPrecision}, attention dropout {result.TrainingAttentionDropout})",
            $"{result.TrainingExamplesPerSecond:F2} examples/s (MFU {result.TrainingMfu:F2})");
        table.AddRow("ONNX Runtime inference",
            double.IsNaN(result.OnnxRuntimeExamplesPerSecond)
                ? "n/a (not a built-in ONNX model)"
                : $"{result.OnnxRuntimeExamplesPerSecond:F2} examples/s");
        table.AddRow("inference / ONNX Runtime", double.IsNaN(result.InferenceVsOnnxRuntime) ? "n/a" : $"{result.InferenceVsOnnxRuntime:F2}x");
        table.AddRow("bf16 inference (mixed precision)", $"{result.Bf16InferenceExamplesPerSecond:F2} examples/s" +
            (double.IsNaN(result.Bf16InferenceVsOnnxRuntime) ? "" : $" ({result.Bf16InferenceVsOnnxRuntime:F2}x ONNX Runtime)"));
        table.AddRow("exported model (peftqa export) in ONNX Runtime",
            $"{result.ExportedOnnxExamplesPerSecond:F2} examples/s (TorchSharp engine {result.InferenceVsExportedOnnx:F2}x of it)");
        foreach (var step in report.Strategies)
            table.AddRow($"training step, {step.Strategy} ({step.TrainablePercent:F3}% trainable, attention dropout 0)",
                $"{step.SecondsPerStep:F2} s ({step.RelativeToFull:F2}x full fine-tuning)");
        if (!double.IsNaN(loraStepVsFull)) table.AddRow("LoRA r 8 (query, value) step / full step", $"{loraStepVsFull:F2}");
        table.AddRow("SQuAD training, new defaults / old (grouped by length, attention dropout 0, auto precision / plain batches, 0.1, fp32)",
            double.IsNaN(squadSpeedup) ? "n/a (no data root: --data-root or PEFTQA_DATA)" : $"{squadSpeedup:F2}x");
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(console.Out),
            Ansi = console.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
        });
        terminal.Write(table);
    }

    /// <summary>NaN (not measured: no ONNX file for a folder model, no data root) is written as "NaN" first, then as null.</summary>
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static JsonObject WithNullsForNaN(JsonObject json)
    {
        foreach (var key in json.Select(p => p.Key).ToList())
            if (json[key] is JsonValue value && value.TryGetValue(out string? text) && text == "NaN") json[key] = null;
        return json;
    }

}
