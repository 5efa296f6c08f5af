using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using PeftQa.Host.Recipes;
using PeftQa.Host.Studies;
using PeftQa.Host.Modeling;

namespace PeftQa.Host.Planning;

/// <summary>Everything a run needs, checked before any work starts.</summary>
/// <param name="EffectiveRecipe">The recipe with every default and every plugin option filled in, as the run folder's recipe.json holds it.</param>
public sealed record RunPlan(
    Recipe Recipe,
    string RecipePath,
    ModelDescription Model,
    string? DataRoot,
    IReadOnlyList<TaskPlan> Tasks,
    JsonObject EffectiveRecipe,
    IReadOnlyList<StudyPlan> Studies,
    IReadOnlyList<IMetric> Metrics,
    IReadOnlyList<IContinualMetric> ContinualMetrics)
{
    /// <summary>The tasks studies train, in training order (every task but the retention tasks).</summary>
    public IReadOnlyList<TaskPlan> TrainedTasks => Tasks.Where(t => !t.Retention).ToList();

    /// <summary>The retention tasks: evaluated at every stage, never trained.</summary>
    public IReadOnlyList<TaskPlan> RetentionTasks => Tasks.Where(t => t.Retention).ToList();

    /// <summary>What every study computes in (training.precision resolved for the run's device), and why.</summary>
    public ComputePrecision Precision { get; init; } = ComputePrecision.Fp32;

    /// <summary>The configuration every other is compared with (compare.reference resolved; null: the first).</summary>
    public string? Reference { get; init; }

    /// <summary>Whether some studies still choose their configuration on validation data (<see cref="StudyPlan.ChooseFrom"/>).</summary>
    public bool NeedsSelection => Studies.Any(s => s.ChooseFrom is not null);

    /// <summary>Every candidate of every search that selection chooses from, once, in plan order.</summary>
    public IReadOnlyList<StudyPlan> Candidates =>
        Studies.Where(s => s.ChooseFrom is not null).DistinctBy(s => s.Method).SelectMany(s => s.ChooseFrom!).ToList();

    /// <summary>
    /// The plan with each study still to choose made from its method's winner; the study with the winner's seed adopts
    /// the winner's weights, unless retention tasks (which selection leaves out) could have changed how the study trains.
    /// </summary>
    public RunPlan WithChosen(IReadOnlyDictionary<string, StudyPlan> winnerByMethod) => this with
    {
        Studies = StudyReuse.Mark(Studies.Select(s => s.ChooseFrom is null ? s
            : s.WithChosen(winnerByMethod[s.Method], RetentionTasks.Count == 0 ? StudyReuse.CandidateFolder(winnerByMethod[s.Method]) : null))
            .ToList()),
    };
}
