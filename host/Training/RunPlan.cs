using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Training;

/// <summary>One task of a study, its data resolved.</summary>
public sealed record TaskPlan(string Name, string Train, string Eval, int? MaxTrainExamples, int? MaxEvalExamples, HoldOutSplit? Split = null, int? MaxSteps = null);

/// <summary>A continual-learning strategy as a study uses it.</summary>
public sealed record ContinualPlan(string Label, IContinualStrategy Strategy, object Options);

/// <summary>
/// One study: an adapter strategy and a continual strategy carried through the recipe's task sequence from the base
/// model. A single-task recipe is a study of one task; several adapters or continual strategies make several studies
/// over the same data.
/// </summary>
public sealed record StudyPlan(string Label, IAdapterStrategy Strategy, object Options, IReadOnlyList<TaskPlan> Tasks, double? LearningRate,
    ContinualPlan Continual, string AdapterLabel);

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
