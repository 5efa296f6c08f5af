using Google.Protobuf;
using Onnx;
using PeftQa.Host.Foundation;
using static PeftQa.Host.Modeling.OnnxGraphBuilder;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Writes a <see cref="BertForQuestionAnswering"/> as an ONNX question-answering model for ONNX Runtime: inputs
/// <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> (int64 [batch, sequence]), outputs <c>start_logits</c>
/// and <c>end_logits</c> (float [batch, sequence]), batch and length dynamic; opset 17. The graph spells out Hugging Face
/// BertForQuestionAnswering in the operator pattern PyTorch's BERT export uses (scores divided by the square root of the
/// head size, padding as an additive mask of the float minimum, GELU in its erf form), the pattern ONNX Runtime's graph
/// optimizations recognise: on 2 cores it runs as fast as the SentenceTransformers MiniLM file. Weights are read by
/// their Hugging Face names, so adapters must be merged first.
/// </summary>
public static class OnnxQaExporter
{
    public const int Opset = 17;
    public static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
    public static readonly string[] OutputNames = ["start_logits", "end_logits"];

    /// <summary>
    /// Writes the model to <paramref name="onnxPath"/> (whole or not at all) with config.json and vocab.txt beside it. A
    /// config.json or vocab.txt already there that describes this model is kept; one that differs is refused (see <see cref="CheckTarget"/>).
    /// </summary>
    public static void Export(BertForQuestionAnswering model, string vocabPath, string onnxPath)
    {
        CheckTarget(model.Config, vocabPath, onnxPath, "--onnx");
        var folder = Path.GetDirectoryName(Path.GetFullPath(onnxPath))!;
        AtomicFile.WriteAllBytes(onnxPath, Build(model).ToByteArray());
        var targetConfig = Path.Combine(folder, Checkpoint.ConfigFile);
        if (!File.Exists(targetConfig)) (model.Config with { Architectures = ["BertForQuestionAnswering"] }).Save(targetConfig);
        var targetVocab = Path.Combine(folder, Checkpoint.VocabFile);
        if (!File.Exists(targetVocab)) File.Copy(vocabPath, targetVocab);
    }

    /// <summary>
    /// Refuses a target folder whose config.json or vocab.txt is not the one export would write: the folder holds another
    /// model (its checkpoint, say), which overwriting them would silently break. Files that match are left as they are.
    /// </summary>
    public static void CheckTarget(BertConfig config, string vocabPath, string onnxPath, string option)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(onnxPath))!;
        var existingConfig = Path.Combine(folder, Checkpoint.ConfigFile);
        if (File.Exists(existingConfig) && !DescribesModel(existingConfig, config))
            throw new BadInputException($"{option} {onnxPath}: {existingConfig} already exists and describes another model; " +
                                        "export would overwrite it, " +
                                        "so nothing was written: choose an empty folder or one holding only this model's files");
        var existingVocab = Path.Combine(folder, Checkpoint.VocabFile);
        if (File.Exists(existingVocab) && !SameBytes(existingVocab, vocabPath))
            throw new BadInputException($"{option} {onnxPath}: {existingVocab} already exists and differs from this model's vocabulary; " +
                                        "export would overwrite it, " +
                                        "so nothing was written: choose an empty folder or one holding only this model's files");
    }

    /// <summary>The same configuration, whatever the file's formatting, extra fields or architectures (which loading ignores).</summary>
    private static bool DescribesModel(string configPath, BertConfig config)
    {
        try
        {
            return BertConfig.Load(configPath) with { Architectures = null } == config with { Architectures = null };
        }
        catch (BadInputException)
        {
            return false;
        }
    }

    private static bool SameBytes(string first, string second) =>
        string.Equals(Path.GetFullPath(first), Path.GetFullPath(second), StringComparison.Ordinal) ||
        File.ReadAllBytes(first).AsSpan().SequenceEqual(File.ReadAllBytes(second));

    public static ModelProto Build(BertForQuestionAnswering model)
    {
        var weights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var config = model.Config;
        var graph = new OnnxGraphBuilder();
        foreach (var input in InputNames) graph.Input(input, DataType.Int64, "batch", "sequence");
        var exporter = new GraphWriter(graph, weights, config);
        var hidden = exporter.Embeddings();
        var maskBias = exporter.AttentionMaskBias();
        for (int layer = 0; layer < config.NumHiddenLayers; layer++) hidden = exporter.Layer(layer, hidden, maskBias);
        exporter.SpanHead(hidden);
        foreach (var output in OutputNames) graph.Output(output, DataType.Float, "batch", "sequence");

        var proto = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "peftqa",
            ProducerVersion = typeof(OnnxQaExporter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graph.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return proto;
    }

    /// <summary>The operations of one model, named after the Hugging Face modules they come from.</summary>
    private sealed class GraphWriter(OnnxGraphBuilder graph, Dictionary<string, TorchSharp.Modules.Parameter> weights, BertConfig config)
    {
        public string Embeddings()
        {
            const string prefix = "bert.embeddings";
            var words = graph.Node("Gather", [Initializer($"{prefix}.word_embeddings.weight"), "input_ids"]);
            var shape = graph.Node("Shape", ["input_ids"]);
            var length = graph.Node("Gather", [shape, graph.Int64Scalar("sequence_axis", 1)]);
            var positionIds = graph.Node("Range", [graph.Int64Scalar("zero", 0), length, graph.Int64Scalar("one", 1)]);
            var positions = graph.Node("Gather", [Initializer($"{prefix}.position_embeddings.weight"), positionIds]);
            var types = graph.Node("Gather", [Initializer($"{prefix}.token_type_embeddings.weight"), "token_type_ids"]);
            var sum = graph.Node("Add", [graph.Node("Add", [words, positions]), types]);
            return LayerNorm($"{prefix}.LayerNorm", sum);
        }

        /// <summary>[batch, 1, 1, sequence]: 0 where attention_mask is 1, the float minimum where it is 0.</summary>
        public string AttentionMaskBias()
        {
            var expanded = graph.Node("Unsqueeze", ["attention_mask", graph.Int64Constant("mask_axes", 1, 2)]);
            var mask = graph.Node("Cast", [expanded], null, Int("to", (long)DataType.Float));
            var padding = graph.Node("Sub", [Constant("one_float", 1f), mask]);
            return graph.Node("Mul", [padding, Constant("float_minimum", float.MinValue)]);
        }

        public string Layer(int index, string hidden, string maskBias)
        {
            var prefix = $"bert.encoder.layer.{index}";
            var context = SelfAttention($"{prefix}.attention.self", hidden, maskBias);
            var attention = ResidualOutput($"{prefix}.attention.output", context, hidden);
            var intermediate = Activation(Linear($"{prefix}.intermediate.dense", attention));
            return ResidualOutput($"{prefix}.output", intermediate, attention);
        }

        public void SpanHead(string hidden)
        {
            var logits = Linear(BertForQuestionAnswering.HeadModuleName, hidden);
            var halves = graph.NodeWithOutputs(
                "Split", [logits, graph.Int64Constant("split_sizes", 1, 1)], ["start_logits_3d", "end_logits_3d"], Int("axis", -1));
            for (int i = 0; i < OutputNames.Length; i++) graph.Node("Squeeze", [halves[i], graph.Int64Constant("last_axis", -1)], OutputNames[i]);
        }

        private string SelfAttention(string prefix, string hidden, string maskBias)
        {
            var query = Heads(Linear($"{prefix}.query", hidden), [0, 2, 1, 3]);
            var keyTransposed = Heads(Linear($"{prefix}.key", hidden), [0, 2, 3, 1]);
            var value = Heads(Linear($"{prefix}.value", hidden), [0, 2, 1, 3]);
            var product = graph.Node("MatMul", [query, keyTransposed]);
            var scores = graph.Node("Div", [product, Constant("attention_scale", (float)Math.Sqrt(config.HeadSize))]);
            var probabilities = graph.Node("Softmax", [graph.Node("Add", [scores, maskBias])], null, Int("axis", -1));
            var context = graph.Node("Transpose", [graph.Node("MatMul", [probabilities, value])], null, Ints("perm", 0, 2, 1, 3));
            return graph.Node("Reshape", [context, graph.Int64Constant("merged_shape", 0, 0, config.HiddenSize)]);
        }

        /// <summary>[batch, sequence, hidden] to [batch, heads, sequence, head size] (or keys' [.., head size, sequence]).</summary>
        private string Heads(string projected, long[] permutation)
        {
            var split = graph.Node("Reshape", [projected, graph.Int64Constant("heads_shape", 0, 0, config.NumAttentionHeads, config.HeadSize)]);
            return graph.Node("Transpose", [split], null, Ints("perm", permutation));
        }

        private string ResidualOutput(string prefix, string input, string residual) =>
            LayerNorm($"{prefix}.LayerNorm", graph.Node("Add", [Linear($"{prefix}.dense", input), residual]));

        /// <summary>y = x W^T + b, with W stored transposed as ONNX MatMul expects.</summary>
        private string Linear(string prefix, string input)
        {
            using var transposed = Weight($"{prefix}.weight").t();
            var product = graph.Node("MatMul", [input, graph.Initializer($"{prefix}.weight_transposed", transposed)]);
            return graph.Node("Add", [product, Initializer($"{prefix}.bias")]);
        }

        private string LayerNorm(string prefix, string input) =>
            graph.Node("LayerNormalization", [input, Initializer($"{prefix}.weight"), Initializer($"{prefix}.bias")],
                null, Int("axis", -1), Float("epsilon", (float)config.LayerNormEps));

        private string Activation(string x) => config.HiddenAct switch
        {
            "relu" => graph.Node("Relu", [x]),
            "gelu_new" or "gelu_pytorch_tanh" => TanhGelu(x),
            _ => ErfGelu(x),
        };

        /// <summary>0.5 x (1 + erf(x / sqrt 2)).</summary>
        private string ErfGelu(string x)
        {
            var erf = graph.Node("Erf", [graph.Node("Div", [x, Constant("sqrt_two", MathF.Sqrt(2))])]);
            return graph.Node("Mul", [graph.Node("Mul", [x, graph.Node("Add", [erf, Constant("one_float", 1f)])]), Constant("half", 0.5f)]);
        }

        /// <summary>0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).</summary>
        private string TanhGelu(string x)
        {
            var cube = graph.Node("Mul", [graph.Node("Mul", [x, x]), x]);
            var cubic = graph.Node("Mul", [cube, Constant("gelu_cubic", 0.044715f)]);
            var inner = graph.Node("Mul", [graph.Node("Add", [x, cubic]), Constant("sqrt_two_over_pi", MathF.Sqrt(2 / MathF.PI))]);
            var onePlusTanh = graph.Node("Add", [graph.Node("Tanh", [inner]), Constant("one_float", 1f)]);
            return graph.Node("Mul", [graph.Node("Mul", [x, onePlusTanh]), Constant("half", 0.5f)]);
        }

        private string Constant(string name, float value) => graph.FloatScalar(name, value);

        /// <summary>The model's weight <paramref name="name"/> as an initializer of the same name.</summary>
        private string Initializer(string name) => graph.Initializer(name, Weight(name));

        private Tensor Weight(string name) => weights.TryGetValue(name, out var weight) ? weight
            : throw new InvalidOperationException($"ONNX export: the model has no parameter {name}");
    }
}
