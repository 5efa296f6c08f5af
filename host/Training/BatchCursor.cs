using PeftQa.Host.Recipes;

namespace PeftQa.Host.Training;

/// <summary>
/// The trainer's walk through a task's windows: each epoch a seeded order (<see cref="QaTrainer.EpochOrder"/>) cut into
/// micro-batches, up to <c>gradientAccumulation</c> of them per optimizer step, a step never crossing an epoch's end.
/// The position (epoch, batch in epoch) is what checkpoints store, so a resumed run walks on exactly where it stopped.
/// </summary>
public sealed class BatchCursor
{
    private readonly int windows;
    private readonly int seed;
    private readonly TrainingSettings settings;
    private int[] order;

    public BatchCursor(int windows, TrainingSettings settings, int seed, int epoch = 0, int batchInEpoch = 0)
    {
        this.windows = windows;
        this.settings = settings;
        this.seed = seed;
        Epoch = epoch;
        BatchInEpoch = batchInEpoch;
        order = QaTrainer.EpochOrder(windows, seed, epoch);
    }

    public int Epoch { get; private set; }

    public int BatchInEpoch { get; private set; }

    public int MicroBatchesPerEpoch => (windows + settings.BatchSize - 1) / settings.BatchSize;

    /// <summary>Optimizer steps of the task: maxSteps, else epochs over the windows.</summary>
    public int TotalSteps => settings.MaxSteps
        ?? (int)Math.Ceiling(settings.Epochs * ((MicroBatchesPerEpoch + settings.GradientAccumulation - 1) / settings.GradientAccumulation));

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
            order = QaTrainer.EpochOrder(windows, seed, Epoch);
        }
        return microBatches;
    }
}
