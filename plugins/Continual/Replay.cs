using System.ComponentModel;
using System.Text.Json;
using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

public sealed class ReplayOptions
{
    [Description("Training windows remembered per finished task, reservoir-sampled from the windows its training used.")]
    public int MemoryPerTask { get; set; } = 200;

    [Description("Remembered windows of earlier tasks added to every training batch (drawn uniformly from the whole memory).")]
    public int PerBatch { get; set; } = 4;
}

/// <summary>
/// Experience replay: after each task, a reservoir sample of the windows its training used is kept; every later batch
/// gets <see cref="ReplayOptions.PerBatch"/> of them added. Works with any adapter strategy.
/// </summary>
public sealed class ReplayStrategy : ContinualStrategy<ReplayOptions>
{
    public override string Name => "replay";

    public override string Description => "Experience replay: a reservoir-sampled memory of each finished task's windows, mixed into every later batch.";

    protected override IReadOnlyList<string> Validate(ReplayOptions options, AdapterTraits adapter)
    {
        var replay = options;
        var problems = new List<string>();
        if (replay.MemoryPerTask <= 0) problems.Add($"memoryPerTask: expected a positive integer, got {replay.MemoryPerTask}");
        if (replay.PerBatch <= 0) problems.Add($"perBatch: expected a positive integer, got {replay.PerBatch}");
        return problems;
    }

    protected override IContinualLearner Start(ContinualSetup setup, ReplayOptions options) => new ReplayLearner(setup, options);
}

internal sealed class ReplayLearner(ContinualSetup setup, ReplayOptions options) : LearnerBase(setup)
{
    private const string MemoryFile = "replay-memory.json";

    private readonly SortedDictionary<int, List<int>> memory = [];

    /// <summary>The remembered windows of each finished task.</summary>
    public IReadOnlyDictionary<int, List<int>> Memory => memory;

    public override IReadOnlyList<WindowRef> ReplayWindows(int task, int step)
    {
        var pool = memory.Where(m => m.Key < task).SelectMany(m => m.Value.Select(w => new WindowRef(m.Key, w))).ToList();
        if (pool.Count == 0) return [];
        // A partial Fisher-Yates shuffle seeded by (task, step): the same windows whether or not the run was resumed.
        var random = RandomFor(task, step);
        int count = Math.Min(options.PerBatch, pool.Count);
        for (int i = 0; i < count; i++)
        {
            int j = random.Next(i, pool.Count);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool.GetRange(0, count);
    }

    public override void EndTask(int task, ITaskSamples samples) =>
        memory[task] = Reservoir(samples.SeenWindows.Distinct().ToList(), options.MemoryPerTask, RandomFor(task, -1));

    /// <summary>Vitter's algorithm R: a uniform sample of <paramref name="capacity"/> items from a stream seen once.</summary>
    public static List<int> Reservoir(IReadOnlyList<int> stream, int capacity, Random random)
    {
        var kept = new List<int>(Math.Min(capacity, stream.Count));
        for (int i = 0; i < stream.Count; i++)
        {
            if (i < capacity) kept.Add(stream[i]);
            else if (random.Next(i + 1) is var slot && slot < capacity) kept[slot] = stream[i];
        }
        return kept;
    }

    protected override void BeforeLoad(string directory)
    {
        var path = Path.Combine(directory, MemoryFile);
        memory.Clear();
        if (!File.Exists(path)) throw new AdapterLoadException($"{path}: not found; the saved state was not written by the replay strategy");
        foreach (var (task, windows) in JsonSerializer.Deserialize<Dictionary<int, List<int>>>(File.ReadAllText(path)) ?? [])
            memory[task] = windows;
    }

    protected override void SaveExtra(string directory) => File.WriteAllText(Path.Combine(directory, MemoryFile), JsonSerializer.Serialize(memory));
}
