using PeftQa.Host.Recipes;

namespace PeftQa.Host.Studies;

/// <summary>How one study trains one task: the effective training settings (the adapter's learning rate and the task's
/// steps already applied) and the seed of its data order.</summary>
/// <param name="Name">The task's name.</param>
public sealed record StudyTaskPlan(string Name, TrainingSettings Settings, int Seed);
