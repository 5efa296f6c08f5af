using PeftQa.Abstractions;

namespace PeftQa.Host.Continual;

/// <summary>
/// One study: an adapter strategy and a continual strategy carried through the run's task sequence from the base
/// model, every effective setting decided by the planner. A single-task recipe is a study of one task; several adapters
/// or continual strategies make several studies over the same data.
/// </summary>
/// <param name="Tasks">Per task of the run, in order: how this study trains it.</param>
/// <param name="Seed">The study's seed (the recipe's seed, or one of its seeds): the base model's fresh QA head and every seeded choice derive from it.</param>
/// <param name="AdapterLabel">The adapter's name in reports (its label, else its strategy).</param>
public sealed record StudyPlan(string Label, IAdapterStrategy Strategy, object Options, IReadOnlyList<StudyTaskPlan> Tasks, ContinualPlan Continual,
    string AdapterLabel, int Seed)
{
    /// <summary>The (adapter, continual strategy) configuration's label, shared by its studies of different seeds.</summary>
    public string Configuration { get; init; } = Label;
}
