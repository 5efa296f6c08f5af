using PeftQa.Host.Recipes;

namespace PeftQa.Host.Training;

/// <summary>
/// The trainer's walk through a task's windows: each epoch a seeded order cut into micro-batches, up to
/// <c>gradientAccumulation</c> of them per optimizer step, a step never crossing an epoch's end. The order groups windows
/// of similar length (<see cref="LengthGroupedOrder"/>) when <c>groupByLength</c> is on and the lengths are known, else
/// it is a plain shuffle (<see cref="ShuffledOrder"/>); both are functions of (seed, epoch). The position (epoch,
/// batch in epoch) is what checkpoints store, so a resumed run walks on exactly where it stopped.
/// </summary>
public sealed class BatchCursor
{
    private readonly int windows;
    private readonly IReadOnlyList<int>? lengths;
    private readonly int seed;
    private readonly TrainingSettings settings;
    private int[] order;

    /// <summary>A walk over <paramref name="windows"/> windows of unknown lengths: plain shuffled batches.</summary>
    public BatchCursor(int windows, TrainingSettings settings, int seed, int epoch = 0, int batchInEpoch = 0)
        : this(windows, null, settings, seed, epoch, batchInEpoch) { }

    /// <summary>A walk over windows of these lengths (tokens), grouped by length when the settings ask for it.</summary>
    public BatchCursor(IReadOnlyList<int> lengths, TrainingSettings settings, int seed, int epoch = 0, int batchInEpoch = 0)
        : this(lengths.Count, settings.GroupByLength ? lengths : null, settings, seed, epoch, batchInEpoch) { }

    private BatchCursor(int windows, IReadOnlyList<int>? lengths, TrainingSettings settings, int seed, int epoch, int batchInEpoch)
    {
        this.windows = windows;
        this.lengths = lengths;
        this.settings = settings;
        this.seed = seed;
        Epoch = epoch;
        BatchInEpoch = batchInEpoch;
        order = OrderOf(epoch);
    }

    private int[] OrderOf(int epoch) =>
        lengths is null ? ShuffledOrder.For(windows, seed, epoch) : LengthGroupedOrder.For(lengths, settings.BatchSize, seed, epoch);

    public int Epoch { get; private set; }

    public int BatchInEpoch { get; private set; }

    public int MicroBatchesPerEpoch => (windows + settings.BatchSize - 1) / settings.BatchSize;

    /// <summary>Optimizer steps of the task: maxSteps, else epochs over the windows but at least minSteps.</summary>
    public int TotalSteps => settings.MaxSteps ?? Math.Max(settings.MinSteps ?? 0,
        (int)Math.Ceiling(settings.Epochs * ((MicroBatchesPerEpoch + settings.GradientAccumulation - 1) / settings.GradientAccumulation)));

    /// <summary>The micro-batches (window indices) of the next optimizer step; moves to the next epoch when this one is used up.</summary>
    public List<int[]> NextStep()
    {
        var microBatches = new List<int[]>();
        for (int m = 0; m < settings.GradientAccumulation && BatchInEpoch < MicroBatchesPerEpoch; m++, BatchInEpoch++)
        {
            int from = BatchInEpoch * settings.BatchSize;
            microBatches.Add(order.AsSpan(from, Math.Min(settings.BatchSize, order.Length - from)).ToArray());
        }
        if (BatchInEpoch >= MicroBatchesPerEpoch)
        {
            Epoch++;
            BatchInEpoch = 0;
            order = OrderOf(Epoch);
        }
        return microBatches;
    }

    /// <summary>
    /// The training windows a task's training used, in order, each as often as used: what the trainer fed in its first
    /// <paramref name="steps"/> steps (null: the whole budget; fewer where early stopping stopped it), rebuilt from the seed.
    /// </summary>
    public static IReadOnlyList<int> SeenWindows(IReadOnlyList<int> lengths, TrainingSettings settings, int seed, int? steps = null)
    {
        var cursor = new BatchCursor(lengths, settings, seed);
        var seen = new List<int>();
        for (int step = steps ?? cursor.TotalSteps; step > 0; step--)
            foreach (var microBatch in cursor.NextStep()) seen.AddRange(microBatch);
        return seen;
    }
}
