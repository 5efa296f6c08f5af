using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using static TorchSharp.torch;

namespace PeftQa.Host.Evaluation;

/// <summary>Runs the model over features in batches (grouped by length to keep padding small), in eval mode.</summary>
public static class SpanLogits
{
    /// <param name="forward">Start and end logits for a batch; null: the model's own forward (routing strategies pass theirs).</param>
    public static FeatureLogits[] Predict(
        BertForQuestionAnswering model,
        IReadOnlyList<QaFeature> features,
        int batchSize,
        int padId,
        Device device,
        Action<int>? progress = null,
        CancellationToken cancellation = default,
        Func<FeatureBatch, (Tensor Start, Tensor End)>? forward = null)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            forward ??= batch => model.Forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
            return Predict(forward, features, batchSize, padId, device, progress, cancellation);
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }

    /// <summary>The same for any engine that maps a batch to its logits (an exported ONNX model).</summary>
    public static FeatureLogits[] Predict(
        Func<FeatureBatch, (Tensor Start, Tensor End)> forward,
        IReadOnlyList<QaFeature> features,
        int batchSize,
        int padId,
        Device device,
        Action<int>? progress = null,
        CancellationToken cancellation = default)
    {
        // Evaluation is a phase of its own, with another working set than training: it starts and ends on what is live.
        NativeMemory.ReturnFreedPages();
        var results = new FeatureLogits[features.Count];
        var order = Enumerable.Range(0, features.Count).OrderBy(i => features[i].Length).ThenBy(i => i).ToArray();
        int done = 0;
        // Batches of similar length, the longest first: the first batch sizes the allocator's blocks and every later,
        // shorter one fits in them. Shortest first grew the heap with each longer batch (2.6 GB for 2,000 SQuAD questions).
        foreach (int from in Enumerable.Range(0, (order.Length + batchSize - 1) / batchSize).Select(b => b * batchSize).Reverse())
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var _ = inference_mode();
            var indices = order.Skip(from).Take(batchSize).ToArray();
            var batchFeatures = indices.Select(i => features[i]).ToList();
            using var batch = FeatureBatch.Collate(batchFeatures, padId, device);
            var (start, end) = forward(batch);
            var startValues = start.cpu().data<float>().ToArray();
            var endValues = end.cpu().data<float>().ToArray();
            int width = (int)batch.Length;
            for (int row = 0; row < indices.Length; row++)
            {
                int length = batchFeatures[row].Length;
                results[indices[row]] = new FeatureLogits(
                    startValues.AsSpan(row * width, length).ToArray(), endValues.AsSpan(row * width, length).ToArray());
            }
            done += indices.Length;
            progress?.Invoke(done);
        }
        NativeMemory.ReturnFreedPages();
        return results;
    }
}
