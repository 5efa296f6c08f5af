using Microsoft.ML.OnnxRuntime;

namespace PeftQa.Host.Modeling;

/// <summary>
/// ONNX Runtime running the built-in model's own ONNX file: the reference our encoder is checked against (parity
/// test) and measured against (<c>peftqa bench</c>). All graph optimizations on.
/// </summary>
public sealed class OnnxRuntimeReference : IDisposable
{
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();

    public OnnxRuntimeReference(byte[] onnxModel, int threads)
    {
        using var options = OnnxQaModel.SessionOptionsFor(threads);
        session = new InferenceSession(onnxModel, options);
    }

    /// <summary>The last hidden state [batch, length, hidden], flattened, for int64 inputs [batch, length].</summary>
    public (float[] Values, long[] Shape) LastHiddenState(long[] inputIds, long[] attentionMask, long[] tokenTypeIds, long batch, long length)
    {
        long[] shape = [batch, length];
        using var ids = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(attentionMask, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(tokenTypeIds, shape);
        using var outputs = session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [ids, mask, types], ["last_hidden_state"]);
        var output = outputs[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    public void Dispose()
    {
        runOptions.Dispose();
        session.Dispose();
    }
}
