using System.Text.Json;
using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

internal sealed class ReplayLearner(ContinualSetup setup, ReplayOptions options) : LearnerBase(setup)
{
    private const string MemoryFile = "replay-memory.json";

    private readonly SortedDictionary<int, List<int>> memory = [];

    /// <summary>The remembered windows of each finished task.</summary>
    public IReadOnlyDictionary<int, List<int>> Memory => memory;

    public override IReadOnlyList<WindowRef> ReplayWindows(int task, int step)
    {
        var pool = memory.Where(m => m.Key < task || m.Key >= Setup.TaskNames.Count).SelectMany(m => m.Value.Select(w => new WindowRef(m.Key, w))).ToList();
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

    /// <summary>A named retention task's memory joins the pool before the first task, a seeded sample of it.</summary>
    public override void BeforeTraining(int task)
    {
        if (Setup.RetentionTaskNamed(options.RetentionTask) is not { } retention) return;
        int number = retention.Memory.Task;
        memory[number] = SampleOf(retention.Memory.Count, options.RetentionMemory, RandomFor(number, -4));
    }

    /// <summary>A seeded sample of <paramref name="size"/> of the windows 0..count-1, in window order.</summary>
    public static List<int> SampleOf(int count, int size, Random random)
    {
        var windows = Enumerable.Range(0, count).ToArray();
        random.Shuffle(windows);
        return windows.Take(size).Order().ToList();
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
