using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>Supplies virtual-token embeddings for prompt tuning.</summary>
public interface IVirtualTokenSource
{
    /// <summary>Number of virtual tokens n.</summary>
    int Count { get; }

    /// <summary>[batch, n, hidden] embeddings to prepend.</summary>
    Tensor Embeddings(long batchSize);
}
