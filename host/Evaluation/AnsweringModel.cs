using Microsoft.Extensions.Logging;
using PeftQa.Host.Data;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using static TorchSharp.torch;

namespace PeftQa.Host.Evaluation;

/// <summary>
/// A model that answers, whichever engine runs it: its tokenizer, its longest window, and a forward from a batch of
/// windows to start and end logits. <c>predict</c> and <c>eval</c> use it, so both engines share windows and
/// post-processing and give the same answers from the same logits.
/// </summary>
public sealed class AnsweringModel : IDisposable
{
    private readonly IDisposable owned;

    private AnsweringModel(IDisposable owned, BertTokenizer tokenizer, int maxPositions, int virtualTokens, Device device,
        Func<FeatureBatch, (Tensor Start, Tensor End)> forward)
    {
        this.owned = owned;
        Tokenizer = tokenizer;
        MaxPositions = maxPositions;
        VirtualTokens = virtualTokens;
        Device = device;
        Forward = forward;
    }

    public BertTokenizer Tokenizer { get; }

    public int MaxPositions { get; }

    /// <summary>Tokens a soft-prompt adapter prepends to every window (0 without one): they take positions before the window's.</summary>
    public int VirtualTokens { get; }

    public Device Device { get; }

    public Func<FeatureBatch, (Tensor Start, Tensor End)> Forward { get; }

    /// <param name="precision">What the torch engine computes in (fp32 when null); ONNX Runtime runs the exported fp32 graph.</param>
    /// <exception cref="BadInputException">The engine and the model do not go together, or the model cannot be loaded.</exception>
    public static AnsweringModel Load(
        AnsweringEngine engine,
        string model,
        string? adapter,
        PluginCatalog plugins,
        Device device,
        int threads,
        ILogger logger,
        bool allowPickle = false,
        bool ignoreMismatched = false,
        ComputePrecision? precision = null)
    {
        bool onnxFile = model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);
        if (engine == AnsweringEngine.Torch && onnxFile)
            throw new BadInputException($"--model {model} is an ONNX file: add --engine onnx to answer with ONNX Runtime");
        if (engine == AnsweringEngine.Torch)
        {
            var loaded = InferenceModel.Load(model, adapter, plugins, device, logger, allowPickle, ignoreMismatched);
            loaded.Model.UseComputeDType((precision ?? ComputePrecision.Fp32).DType);
            return new AnsweringModel(
                loaded,
                loaded.Tokenizer,
                loaded.Model.Config.MaxPositionEmbeddings,
                loaded.Model.VirtualTokens?.Count ?? 0,
                device,
                batch => loaded.Model.Forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds));
        }
        if (adapter is not null)
            throw new BadInputException(
                $"--adapter {adapter} with --engine onnx: an exported file holds its adapter already; export with --adapter instead (peftqa export)");
        if (!onnxFile) throw new BadInputException($"--engine onnx needs --model to name a .onnx file written by peftqa export, got {model}");
        if (device.type != TorchSharp.DeviceType.CPU) logger.LogInformation("--engine onnx runs ONNX Runtime on the CPU");
        var onnx = OnnxQaModel.Load(model, threads);
        return new AnsweringModel(onnx, new BertTokenizer(onnx.VocabPath!), onnx.Config.MaxPositionEmbeddings, 0, CPU, onnx.Forward);
    }

    public void Dispose() => owned.Dispose();
}
