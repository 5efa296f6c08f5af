using Microsoft.ML.OnnxRuntime;
using PeftQa.Host.Data;
using PeftQa.Host.Foundation;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>
/// A question-answering model exported by <c>peftqa export</c>, run by ONNX Runtime (<c>--engine onnx</c>): the same
/// windows in, the same start and end logits out as the TorchSharp model, so answers go through the same
/// post-processing. Its tokenizer files (vocab.txt, config.json) lie beside the .onnx file.
/// </summary>
public sealed class OnnxQaModel : IDisposable
{
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();

    private OnnxQaModel(InferenceSession session, string? vocabPath, BertConfig config)
    {
        this.session = session;
        VocabPath = vocabPath;
        Config = config;
    }

    /// <summary>vocab.txt beside the file; null for a model built in memory (<see cref="FromBytes"/>).</summary>
    public string? VocabPath { get; }

    public BertConfig Config { get; }

    /// <exception cref="BadInputException">The file or its tokenizer files are missing, or it is not a QA model this tool exported.</exception>
    public static OnnxQaModel Load(string onnxPath, int threads)
    {
        if (!File.Exists(onnxPath)) throw new BadInputException($"{onnxPath}: ONNX file not found");
        var folder = Path.GetDirectoryName(Path.GetFullPath(onnxPath))!;
        var vocab = Path.Combine(folder, Checkpoint.VocabFile);
        var configPath = Path.Combine(folder, Checkpoint.ConfigFile);
        foreach (var needed in new[] { vocab, configPath })
            if (!File.Exists(needed))
                throw new BadInputException($"{onnxPath}: {Path.GetFileName(needed)} is missing beside it (peftqa export writes it there)");
        using var options = SessionOptionsFor(threads);
        InferenceSession session;
        try { session = new InferenceSession(onnxPath, options); }
        catch (OnnxRuntimeException e) { throw new BadInputException($"{onnxPath}: ONNX Runtime cannot load it: {e.Message}"); }
        var inputs = session.InputMetadata.Keys.ToHashSet();
        var outputs = session.OutputMetadata.Keys.ToHashSet();
        if (!OnnxQaExporter.InputNames.All(inputs.Contains) || !OnnxQaExporter.OutputNames.All(outputs.Contains))
        {
            session.Dispose();
            throw new BadInputException($"{onnxPath}: not a QA model: expected inputs {string.Join(", ", OnnxQaExporter.InputNames)} and outputs " +
                                        $"{string.Join(", ", OnnxQaExporter.OutputNames)}, " +
                                        $"found inputs {string.Join(", ", inputs)} and outputs {string.Join(", ", outputs)}");
        }
        return new OnnxQaModel(session, vocab, BertConfig.Load(configPath));
    }

    /// <summary>An exported model held in memory (<c>peftqa bench</c> measures the model it benchmarks this way).</summary>
    public static OnnxQaModel FromBytes(byte[] onnx, BertConfig config, int threads)
    {
        using var options = SessionOptionsFor(threads);
        return new OnnxQaModel(new InferenceSession(onnx, options), null, config);
    }

    /// <summary>
    /// All graph optimizations on, one inter-op thread: how .NET services run ONNX Runtime on a CPU (and how the
    /// reference file is run).
    /// </summary>
    public static SessionOptions SessionOptionsFor(int threads) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        IntraOpNumThreads = threads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
    };

    /// <summary>Start and end logits [batch, length] for a batch, as float tensors on the CPU.</summary>
    public (Tensor Start, Tensor End) Forward(FeatureBatch batch) => Forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);

    public (Tensor Start, Tensor End) Forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        long[] shape = [inputIds.shape[0], inputIds.shape[1]];
        using var ids = OrtValue.CreateTensorValueFromMemory(Int64(inputIds), shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(Int64(attentionMask), shape);
        using var types = OrtValue.CreateTensorValueFromMemory(Int64(tokenTypeIds), shape);
        using var outputs = session.Run(runOptions, OnnxQaExporter.InputNames, [ids, mask, types], OnnxQaExporter.OutputNames);
        var start = tensor(outputs[0].GetTensorDataAsSpan<float>().ToArray()).view(shape);
        var end = tensor(outputs[1].GetTensorDataAsSpan<float>().ToArray()).view(shape);
        return (start, end);
    }

    private static long[] Int64(Tensor values)
    {
        using var onCpu = values.cpu().to_type(ScalarType.Int64).contiguous();
        return onCpu.data<long>().ToArray();
    }

    public void Dispose()
    {
        runOptions.Dispose();
        session.Dispose();
    }
}
