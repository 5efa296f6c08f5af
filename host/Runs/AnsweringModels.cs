using Microsoft.Extensions.Logging;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Runs;

/// <summary>
/// The entry point of <c>eval</c> and <c>predict</c>: the plugins, the model on this process's device, and the
/// precision it computes in (--precision, auto by default, resolved as a run resolves it).
/// </summary>
public sealed class AnsweringModels(PluginLoader pluginLoader, ExtraPluginFolders pluginFolders, TorchRuntime torch, ILogger<AnsweringModels> logger)
{
    /// <summary>The plugins the host and --plugins hold (metric plugins for eval, adapter strategies for the model).</summary>
    public PluginCatalog Plugins => plugins ??= pluginLoader.Load(PluginRoots.For(pluginFolders.Folders, []));

    private PluginCatalog? plugins;

    /// <exception cref="BadInputException">A bad model, adapter, or --precision bf16 with the ONNX engine.</exception>
    public (AnsweringModel Model, ComputePrecision Precision) Open(ModelChoice choice, Precision? requested)
    {
        var precision = PrecisionFor(choice.Engine, requested);
        var model = AnsweringModel.Load(choice.Engine, choice.Model, choice.Adapter, Plugins, torch.Device, torch.Threads, logger,
            choice.AllowPickle, choice.IgnoreMismatched, choice.Engine == AnsweringEngine.Torch ? precision : null);
        return (model, precision);
    }

    /// <summary>
    /// For the TorchSharp engine --precision resolved here (auto by default); the ONNX engine runs the exported fp32 model,
    /// so bf16 is refused rather than silently ignored.
    /// </summary>
    private ComputePrecision PrecisionFor(AnsweringEngine engine, Precision? requested)
    {
        if (engine == AnsweringEngine.Torch) return torch.Precision(requested ?? Precision.Auto);
        if (requested == Precision.Bf16)
            throw new BadInputException(
                "--precision bf16: the ONNX engine runs the exported model in fp32; leave --precision out, or use --engine torch for bf16");
        var onnx = new ComputePrecision(requested ?? Precision.Auto, Precision.Fp32, "the ONNX engine runs the exported fp32 model");
        torch.Apply(onnx);
        return onnx;
    }
}
