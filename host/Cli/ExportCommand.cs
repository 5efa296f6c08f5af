using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Host.Reporting;
using static TorchSharp.torch;

namespace PeftQa.Host.Cli;

/// <summary>
/// <c>peftqa export --model M [--adapter A] --onnx FILE</c>: the model with any adapter merged into its weights, as an
/// ONNX QA model for ONNX Runtime (<see cref="OnnxQaExporter"/>), with config.json and vocab.txt beside it. Adapters
/// that cannot be merged (soft prompts, which add tokens rather than change weights) are refused with the reason.
/// </summary>
public sealed class ExportCommand(PluginLoader pluginLoader, IOptions<PeftQaSettings> settings, CliConsole console, ILogger<ExportCommand> logger)
{
    public int Execute(ExportRequest request)
    {
        if (!request.Onnx.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            throw new BadInputException($"--onnx {request.Onnx}: expected a file name ending in .onnx");
        var target = WritableFolder.FullPath(request.Onnx, "--onnx");
        if (Directory.Exists(target)) throw new BadInputException($"--onnx {target}: is a folder; give a file name ending in .onnx");
        var plugins = pluginLoader.Load(PluginRoots.For(settings.Value.PluginFolders, []));
        // Exported weights are read on the CPU whatever the run's device.
        using var model = InferenceModel.Load(request.Model, request.Adapter, plugins, CPU, logger, request.AllowPickle, request.IgnoreMismatched);
        RefuseUnmergeable(model, request);
        OnnxQaExporter.CheckTarget(model.Model.Config, model.VocabPath, target, "--onnx");
        // Checked last of all the checks, so a bad model or adapter leaves no new folder behind.
        WritableFolder.Ensure(Path.GetDirectoryName(target)!, "--onnx");
        model.Adapter?.Merge();
        OnnxQaExporter.Export(model.Model, model.VocabPath, target);
        var size = new FileInfo(target).Length;
        logger.LogInformation("Exported {Model}{Adapter} to {Onnx} ({Megabytes:F1} MB, opset {Opset}) with {Config} and {Vocab} beside it", request.Model,
            request.Adapter is null ? "" : $" with the adapter {request.Adapter} merged in", target, size / 1048576.0, OnnxQaExporter.Opset,
            Checkpoint.ConfigFile, Checkpoint.VocabFile);
        console.Out.WriteLine(target);
        return PeftQaCommandLine.Success;
    }

    private static void RefuseUnmergeable(InferenceModel model, ExportRequest request)
    {
        if (model.Model.VirtualTokens is not null || model.Model.AttentionPrefixes is not null)
            throw new BadInputException($"--adapter {request.Adapter}: a soft-prompt adapter ({model.Adapter?.StrategyName}) adds virtual tokens or attention prefixes " +
                                        "instead of changing weights, so it cannot be merged into an exported model; answer with peftqa predict/eval --adapter instead");
        if (model.Adapter is { SupportsMerge: false } adapter)
            throw new BadInputException($"--adapter {request.Adapter}: the {adapter.StrategyName} adapter cannot be merged into the weights, so it cannot be exported");
    }
}
