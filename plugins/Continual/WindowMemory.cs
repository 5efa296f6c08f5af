using System.Text.Json;
using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

/// <summary>
/// An episodic memory of training windows per task number (replay, A-GEM): a reservoir sample of each finished task's
/// windows, a seeded sample of a retention task's memory, seeded draws from it, and its file in the saved state.
/// </summary>
internal sealed class WindowMemory(string fileName, string strategy)
{
    private readonly SortedDictionary<int, List<int>> windows = [];

    /// <summary>The remembered windows per task number (a retention task's number follows the trained tasks').</summary>
    public IReadOnlyDictionary<int, List<int>> Windows => windows;

    /// <summary>Remembers a reservoir sample of the distinct windows a finished task's training used.</summary>
    public void RememberTask(ITaskSamples samples, int capacity, Random random) =>
        windows[samples.Task] = Reservoir(samples.SeenWindows.Distinct().ToList(), capacity, random);

    /// <summary>Remembers a seeded sample of <paramref name="size"/> of a retention task's memory windows, in window order.</summary>
    public void RememberRetention(RetentionTask retention, int size, Random random) =>
        windows[retention.Memory.Task] = SampleOf(retention.Memory.Count, size, random);

    /// <summary>
    /// Up to <paramref name="count"/> distinct windows drawn for training task <paramref name="task"/> from the finished
    /// earlier tasks' and the retention tasks' memory: a partial Fisher-Yates shuffle, so the same arguments give the same windows.
    /// </summary>
    public List<WindowRef> Draw(int task, int trainedTasks, int count, Random random)
    {
        var pool = windows.Where(m => m.Key < task || m.Key >= trainedTasks).SelectMany(m => m.Value.Select(w => new WindowRef(m.Key, w))).ToList();
        count = Math.Min(count, pool.Count);
        for (int i = 0; i < count; i++)
        {
            int j = random.Next(i, pool.Count);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool.GetRange(0, count);
    }

    public void Save(string directory) => File.WriteAllText(Path.Combine(directory, fileName), JsonSerializer.Serialize(windows));

    public void Load(string directory)
    {
        var path = Path.Combine(directory, fileName);
        windows.Clear();
        if (!File.Exists(path)) throw new AdapterLoadException($"{path}: not found; the saved state was not written by the {strategy} strategy");
        foreach (var (task, remembered) in JsonSerializer.Deserialize<Dictionary<int, List<int>>>(File.ReadAllText(path)) ?? [])
            windows[task] = remembered;
    }

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

    /// <summary>A seeded sample of <paramref name="size"/> of the windows 0..count-1, in window order.</summary>
    public static List<int> SampleOf(int count, int size, Random random)
    {
        var all = Enumerable.Range(0, count).ToArray();
        random.Shuffle(all);
        return all.Take(size).Order().ToList();
    }
}
