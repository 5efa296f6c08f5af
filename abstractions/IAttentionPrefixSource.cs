using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>Supplies per-layer attention prefixes for P-tuning v2 / prefix tuning.</summary>
public interface IAttentionPrefixSource
{
    /// <summary>Prefix length n.</summary>
    int Length { get; }

    /// <summary>Key and value prefixes for one layer, each [batch, heads, n, head size].</summary>
    (Tensor Key, Tensor Value) Prefix(int layer, long batchSize);
}
