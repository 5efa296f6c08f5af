using PeftQa.Host.Training;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using System.Diagnostics;
using static TorchSharp.torch;

namespace PeftQa.Host.Runs.Benchmarks;

/// <summary>
/// Training windows per second of the trainer's own step (<see cref="TrainingStep"/>) over real windows, walked as the
/// trainer walks them (<see cref="BatchCursor"/>): one epoch over the sample, after one warm-up step. Comparing two
/// layouts on the same windows says what batching and attention dropout are worth on this machine.
/// </summary>
public static class TrainingSpeedup
{
    public const int BatchSize = 16;

    public static double WindowsPerSecond(BertForQuestionAnswering model, IReadOnlyList<QaFeature> windows, int padId, TrainingLayout layout)
    {
        var settings = new TrainingSettings { BatchSize = BatchSize, GroupByLength = layout.GroupByLength, MaxSteps = int.MaxValue };
        var trainable = model.NamedParameters.Where(p => p.Parameter.requires_grad).ToList();
        var lengths = windows.Select(w => w.Length).ToArray();
        layout.ApplyTo(model);
        model.train();
        try
        {
            using var step = new TrainingStep(model, trainable, settings, padId, CPU);
            IReadOnlyList<IReadOnlyList<QaFeature>> Batches(List<int[]> indices) =>
                indices.Select(b => (IReadOnlyList<QaFeature>)b.Select(i => windows[i]).ToList()).ToList();
            step.Take(Batches(new BatchCursor(lengths, settings, seed: 1).NextStep()), 0, 1e-5);
            var cursor = new BatchCursor(lengths, settings, seed: 0);
            var watch = Stopwatch.StartNew();
            for (int s = 0; s < cursor.MicroBatchesPerEpoch; s++) step.Take(Batches(cursor.NextStep()), s, 1e-5);
            return windows.Count / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            model.eval();
            TrainingLayout.Reset(model);
        }
    }
}
