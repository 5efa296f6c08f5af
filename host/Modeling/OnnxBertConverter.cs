using Onnx;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Recovers Hugging Face BERT weights from a BERT exported to ONNX by PyTorch. Embeddings, LayerNorms and biases keep
/// their names in such a graph, but the attention and feed-forward weight matrices become anonymous MatMul
/// initializers stored as [in, out]. Each MatMul's output feeds an Add whose other input is the named bias
/// (<c>encoder.layer.0.attention.self.query.bias</c>), and that bias names the weight.
/// </summary>
public static class OnnxBertConverter
{
    /// <summary>Hugging Face base-model tensors (names without the <c>bert.</c> prefix), weights as [out, in].</summary>
    public static Dictionary<string, Tensor> ExtractWeights(ModelProto model)
    {
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);

        foreach (var initializer in graph.Initializer)
            if (IsHuggingFaceName(initializer.Name) && initializer.DataType == (int)TensorProto.Types.DataType.Float)
                result[initializer.Name] = ToTensor(initializer);

        var addByInput = graph.Node.Where(n => n.OpType == "Add")
            .SelectMany(n => n.Input.Select(input => (input, node: n)))
            .GroupBy(x => x.input).ToDictionary(g => g.Key, g => g.Select(x => x.node).ToList(), StringComparer.Ordinal);
        foreach (var matMul in graph.Node.Where(n => n.OpType == "MatMul"))
        {
            if (matMul.Input.Count != 2 || !initializers.TryGetValue(matMul.Input[1], out var weight) || IsHuggingFaceName(weight.Name)) continue;
            if (!addByInput.TryGetValue(matMul.Output[0], out var adds)) continue;
            var bias = adds.SelectMany(a => a.Input)
                .FirstOrDefault(i => i.EndsWith(".bias", StringComparison.Ordinal) && initializers.ContainsKey(i));
            if (bias is null) continue;
            var name = bias[..^".bias".Length] + ".weight";
            if (result.ContainsKey(name)) throw new InvalidDataException($"ONNX graph: two MatMul weights map to {name}");
            using var stored = ToTensor(weight);
            result[name] = stored.t().contiguous();
        }
        return result;
    }

    private static bool IsHuggingFaceName(string name) =>
        name.StartsWith("embeddings.", StringComparison.Ordinal) || name.StartsWith("encoder.", StringComparison.Ordinal)
        || name.StartsWith("pooler.", StringComparison.Ordinal);

    private static Tensor ToTensor(TensorProto proto)
    {
        var shape = proto.Dims.ToArray();
        if (proto.RawData.Length == 0) return tensor(proto.FloatData.ToArray()).reshape(shape);
        var result = empty(shape, ScalarType.Float32);
        if (proto.RawData.Length != result.numel() * 4)
            throw new InvalidDataException($"ONNX initializer {proto.Name}: {proto.RawData.Length} bytes for shape [{string.Join(", ", shape)}]");
        result.bytes = proto.RawData.ToByteArray();
        return result;
    }
}
