using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Builds an ONNX graph node by node: each call adds one operator and returns the name of its output, so a model reads
/// as the sequence of operations it performs. Node outputs are named <c>op_n</c> unless given; a constant asked for again
/// by name is the one already added.
/// </summary>
public sealed class OnnxGraphBuilder
{
    private readonly GraphProto graph = new() { Name = "peftqa" };
    private readonly HashSet<string> constants = new(StringComparer.Ordinal);
    private int counter;

    public GraphProto Graph => graph;

    public void Input(string name, TensorProto.Types.DataType type, params string[] dimensions) =>
        graph.Input.Add(ValueInfo(name, type, dimensions));

    public void Output(string name, TensorProto.Types.DataType type, params string[] dimensions) =>
        graph.Output.Add(ValueInfo(name, type, dimensions));

    /// <summary>A float32 initializer holding <paramref name="value"/> (copied to the CPU), under <paramref name="name"/>.</summary>
    public string Initializer(string name, Tensor value)
    {
        using var contiguous = value.detach().to(CPU).to_type(ScalarType.Float32).contiguous();
        var proto = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(contiguous.bytes),
        };
        proto.Dims.AddRange(contiguous.shape);
        graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A 1-D int64 constant.</summary>
    public string Int64Constant(string name, params long[] values) => Int64Tensor(name, [values.Length], values);

    /// <summary>A 0-D int64 constant (an index that drops its axis, a bound of Range).</summary>
    public string Int64Scalar(string name, long value) => Int64Tensor(name, [], [value]);

    private string Int64Tensor(string name, long[] dimensions, long[] values)
    {
        if (!constants.Add(name)) return name;
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.AddRange(dimensions);
        proto.Int64Data.AddRange(values);
        graph.Initializer.Add(proto);
        return name;
    }

    public string FloatScalar(string name, float value)
    {
        if (!constants.Add(name)) return name;
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.FloatData.Add(value);
        graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>Adds <paramref name="op"/> with one output and returns that output's name.</summary>
    public string Node(string op, string[] inputs, string? output = null, params AttributeProto[] attributes) =>
        NodeWithOutputs(op, inputs, [output ?? $"{op.ToLowerInvariant()}_{++counter}"], attributes)[0];

    public string[] NodeWithOutputs(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{++counter}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return outputs;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, string[] dimensions)
    {
        var shape = new TensorShapeProto();
        foreach (var dimension in dimensions) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = dimension });
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape };
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
