using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

internal sealed class ReplayLearner(ContinualSetup setup, ReplayOptions options) : LearnerBase(setup)
{
    private readonly WindowMemory memory = new("replay-memory.json", "replay");

    /// <summary>The remembered windows of each finished task (and of a retention task's memory).</summary>
    public IReadOnlyDictionary<int, List<int>> Memory => memory.Windows;

    /// <summary>Seeded by (task, micro-batch): the same windows whether or not the run was resumed.</summary>
    public override IReadOnlyList<WindowRef> ReplayWindows(int task, int batch) =>
        memory.Draw(task, Setup.TaskNames.Count, options.PerBatch, RandomFor(task, batch));

    /// <summary>A named retention task's memory joins the pool before the first task, a seeded sample of it.</summary>
    public override void BeforeTraining(int task)
    {
        if (Setup.RetentionTaskNamed(options.RetentionTask) is { } retention)
            memory.RememberRetention(
                retention, options.RetentionMemory, RandomFor(retention.Memory.Task, SeedSalts.RetentionMemory));
    }

    public override void EndTask(int task, ITaskSamples samples) =>
        memory.RememberTask(samples, options.MemoryPerTask, RandomFor(task, SeedSalts.TaskMemory));

    protected override void BeforeLoad(string directory) => memory.Load(directory);

    protected override void SaveExtra(string directory) => memory.Save(directory);
}
