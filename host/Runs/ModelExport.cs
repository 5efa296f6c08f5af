using Microsoft.Extensions.Logging;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using static TorchSharp.torch;

namespace PeftQa.Host.Runs;

/// <summary>
/// <c>peftqa export</c>'s entry point: the model with any adapter merged into its weights, as an ONNX QA model for ONNX
/// Runtime (<see cref="OnnxQaExporter"/>), with config.json and vocab.txt beside it. Adapters that cannot be merged
/// (soft prompts, which add tokens rather than change weights) are refused with the reason.
/// </summary>
public sealed class ModelExport(PluginLoader pluginLoader, ExtraPluginFolders pluginFolders, ILogger<ModelExport> logger)
{
    /// <returns>The .onnx file written, as a full path.</returns>
    /// <exception cref="BadInputException">A bad target, model or adapter; nothing is written then.</exception>
    public string Export(ExportRequest request)
    {
        if (!request.Onnx.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            throw new BadInputException($"--onnx {request.Onnx}: expected a file name ending in .onnx");
        var target = WritableFolder.FullPath(request.Onnx, "--onnx");
        if (Directory.Exists(target)) throw new BadInputException($"--onnx {target}: is a folder; give a file name ending in .onnx");
        var plugins = pluginLoader.Load(PluginRoots.For(pluginFolders.Folders, []));
        var choice = request.Model;
        // Exported weights are read on the CPU whatever the run's device.
        using var model = InferenceModel.Load(choice.Model, choice.Adapter, plugins, CPU, logger, choice.AllowPickle, choice.IgnoreMismatched);
        RefuseUnmergeable(model, choice);
        OnnxQaExporter.CheckTarget(model.Model.Config, model.VocabPath, target, "--onnx");
        // Checked last of all the checks, so a bad model or adapter leaves no new folder behind.
        WritableFolder.Ensure(Path.GetDirectoryName(target)!, "--onnx");
        model.Adapter?.Merge();
        OnnxQaExporter.Export(model.Model, model.VocabPath, target);
        var size = new FileInfo(target).Length;
        logger.LogInformation("Exported {Model}{Adapter} to {Onnx} ({Megabytes:F1} MB, opset {Opset}) with {Config} and {Vocab} beside it",
            choice.Model, choice.Adapter is null ? "" : $" with the adapter {choice.Adapter} merged in", target, size / 1048576.0,
            OnnxQaExporter.Opset, Checkpoint.ConfigFile, Checkpoint.VocabFile);
        return target;
    }

    private static void RefuseUnmergeable(InferenceModel model, ModelChoice choice)
    {
        if (model.Model.VirtualTokens is not null || model.Model.AttentionPrefixes is not null)
            throw new BadInputException(
                $"--adapter {choice.Adapter}: a soft-prompt adapter ({model.Adapter?.StrategyName}) adds virtual tokens or attention prefixes " +
                "instead of changing weights, so it cannot be merged into an exported model; answer with peftqa predict/eval --adapter instead");
        if (model.Adapter is { SupportsMerge: false } adapter)
            throw new BadInputException(
                $"--adapter {choice.Adapter}: the {adapter.StrategyName} adapter cannot be merged into the weights, so it cannot be exported");
    }
}
