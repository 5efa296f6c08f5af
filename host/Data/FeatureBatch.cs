using static TorchSharp.torch;

namespace PeftQa.Host.Data;

/// <summary>
/// Features collated into int64 tensors [batch, length], padded to the longest window in the batch (rounded up to a
/// multiple of 8) rather than to the maximum length: padding never changes the real tokens' outputs, and short
/// SQuAD windows then cost what they are. Dispose (or create inside a dispose scope) when done.
/// </summary>
public sealed class FeatureBatch : IDisposable
{
    private FeatureBatch(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, Tensor startPositions, Tensor endPositions)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        TokenTypeIds = tokenTypeIds;
        StartPositions = startPositions;
        EndPositions = endPositions;
    }

    public Tensor InputIds { get; }
    public Tensor AttentionMask { get; }
    public Tensor TokenTypeIds { get; }
    public Tensor StartPositions { get; }
    public Tensor EndPositions { get; }

    public long Length => InputIds.shape[1];

    /// <summary>Batches are padded to a multiple of this many tokens.</summary>
    public const int PadMultiple = 8;

    public static FeatureBatch Collate(IReadOnlyList<QaFeature> features, int padId, Device device)
    {
        int longest = features.Max(f => f.Length);
        int length = (longest + PadMultiple - 1) / PadMultiple * PadMultiple;
        var ids = new long[features.Count * length];
        var mask = new long[features.Count * length];
        var types = new long[features.Count * length];
        var starts = new long[features.Count];
        var ends = new long[features.Count];
        for (int row = 0; row < features.Count; row++)
        {
            var feature = features[row];
            int offset = row * length;
            for (int t = 0; t < length; t++)
            {
                bool real = t < feature.Length;
                ids[offset + t] = real ? feature.InputIds[t] : padId;
                mask[offset + t] = real ? 1 : 0;
                types[offset + t] = real && t >= feature.ContextTokenStart ? 1 : 0;
            }
            starts[row] = feature.StartPosition;
            ends[row] = feature.EndPosition;
        }
        long[] shape = [features.Count, length];
        return new FeatureBatch(tensor(ids, shape).to(device), tensor(mask, shape).to(device), tensor(types, shape).to(device),
            tensor(starts).to(device), tensor(ends).to(device));
    }

    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        TokenTypeIds.Dispose();
        StartPositions.Dispose();
        EndPositions.Dispose();
    }
}
