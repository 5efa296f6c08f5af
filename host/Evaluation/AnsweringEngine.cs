namespace PeftQa.Host.Evaluation;

/// <summary>What computes the span logits for <c>predict</c> and <c>eval</c> (<c>--engine</c>).</summary>
public enum AnsweringEngine
{
    /// <summary>TorchSharp on the chosen device: a model folder or built-in model, with an optional adapter.</summary>
    Torch,

    /// <summary>ONNX Runtime on the CPU: a file written by <c>peftqa export</c>, adapters already merged in.</summary>
    Onnx,
}
