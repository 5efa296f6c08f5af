using System.Text.Json;
using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Continual;

/// <summary>
/// A-GEM: an episodic memory of each finished task's windows (and a retention task's memory, when named); at every step
/// of a later task, the reference gradient on a seeded sample of that memory, and the step's gradient projected when the
/// two conflict (<see cref="GradientProjection"/>).
/// </summary>
internal sealed class AGemLearner(ContinualSetup setup, AGemOptions options) : LearnerBase(setup)
{
    private const string MemoryFile = "agem-memory.json";

    private readonly SortedDictionary<int, List<int>> memory = [];

    /// <summary>The remembered windows per task number (a retention task's number follows the trained tasks').</summary>
    public IReadOnlyDictionary<int, List<int>> Memory => memory;

    /// <summary>Steps of the current task whose gradient conflicted with the memory's and was projected, and steps that had a memory to check against, in this process.</summary>
    public (int Projected, int Checked) Steps => (projected, checkedSteps);

    private int projected, checkedSteps;

    public override void BeforeTraining(int task)
    {
        if (Setup.RetentionTaskNamed(options.RetentionTask) is not { } retention) return;
        int number = retention.Memory.Task;
        memory[number] = ReplayLearner.SampleOf(retention.Memory.Count, options.RetentionMemory, RandomFor(number, -4));
    }

    public override void EndTask(int task, ITaskSamples samples)
    {
        if (checkedSteps > 0)
            Setup.Log($"a-gem projected the gradient of {projected} of {checkedSteps} steps on {Setup.TaskNames[task]} (the others did not conflict with the memory's)");
        (projected, checkedSteps) = (0, 0);
        memory[task] = ReplayLearner.Reservoir(samples.SeenWindows.Distinct().ToList(), options.MemoryPerTask, RandomFor(task, -1));
    }

    public override void AdjustGradients(IGradientStep step)
    {
        var pool = memory.Where(m => m.Key < step.Task || m.Key >= Setup.TaskNames.Count).SelectMany(m => m.Value.Select(w => new WindowRef(m.Key, w))).ToList();
        if (pool.Count == 0) return;
        var reference = Sample(pool, RandomFor(step.Task, step.Step, -5));
        using var scope = NewDisposeScope();
        var parameters = step.Trainable.Select(p => p.Parameter).Where(p => p.grad is not null).ToList();
        var gradient = parameters.Select(p => p.grad!.clone()).ToList();
        foreach (var p in parameters) p.grad!.zero_();
        step.Loss(reference).backward();
        var referenceGradient = parameters.Select(p => p.grad!.clone()).ToList();
        checkedSteps++;
        if (GradientProjection.Project(gradient, referenceGradient)) projected++;
        using var _ = no_grad();
        for (int p = 0; p < parameters.Count; p++) parameters[p].grad!.copy_(gradient[p]);
    }

    /// <summary>A seeded partial shuffle: <see cref="AGemOptions.ReferenceWindows"/> distinct windows of the pool.</summary>
    private List<WindowRef> Sample(List<WindowRef> pool, Random random)
    {
        int count = Math.Min(options.ReferenceWindows, pool.Count);
        for (int i = 0; i < count; i++)
        {
            int j = random.Next(i, pool.Count);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool.GetRange(0, count);
    }

    protected override void BeforeLoad(string directory)
    {
        var path = Path.Combine(directory, MemoryFile);
        memory.Clear();
        if (!File.Exists(path)) throw new AdapterLoadException($"{path}: not found; the saved state was not written by the a-gem strategy");
        foreach (var (task, windows) in JsonSerializer.Deserialize<Dictionary<int, List<int>>>(File.ReadAllText(path)) ?? [])
            memory[task] = windows;
    }

    protected override void SaveExtra(string directory) => File.WriteAllText(Path.Combine(directory, MemoryFile), JsonSerializer.Serialize(memory));
}
