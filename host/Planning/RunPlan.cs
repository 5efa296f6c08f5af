using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using PeftQa.Host.Recipes;
using PeftQa.Host.Continual;

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
    IReadOnlyList<IContinualMetric> ContinualMetrics);
