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
    private readonly WindowMemory memory = new("agem-memory.json", "a-gem");
    private int projected, checkedSteps;

    /// <summary>The remembered windows per task number (a retention task's number follows the trained tasks').</summary>
    public IReadOnlyDictionary<int, List<int>> Memory => memory.Windows;

    public override void BeforeTraining(int task)
    {
        if (Setup.RetentionTaskNamed(options.RetentionTask) is { } retention)
            memory.RememberRetention(
                retention, options.RetentionMemory, RandomFor(retention.Memory.Task, SeedSalts.RetentionMemory));
    }

    /// <summary>Logs how often the task's gradients were projected, then remembers its windows.</summary>
    public override void EndTask(int task, ITaskSamples samples)
    {
        if (checkedSteps > 0)
            Setup.Log($"a-gem projected the gradient of {projected} of {checkedSteps} steps on {Setup.TaskNames[task]} " +
                      "(the others did not conflict with the memory's)");
        (projected, checkedSteps) = (0, 0);
        memory.RememberTask(samples, options.MemoryPerTask, RandomFor(task, SeedSalts.TaskMemory));
    }

    public override void AdjustGradients(IGradientStep step)
    {
        var random = RandomFor(step.Task, step.Step, SeedSalts.ReferenceWindows);
        var reference = memory.Draw(step.Task, Setup.TaskNames.Count, options.ReferenceWindows, random);
        if (reference.Count == 0) return;
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

    protected override void BeforeLoad(string directory) => memory.Load(directory);

    protected override void SaveExtra(string directory) => memory.Save(directory);
}
