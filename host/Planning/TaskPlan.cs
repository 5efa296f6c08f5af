using PeftQa.Host.Recipes;

namespace PeftQa.Host.Planning;

/// <summary>One task of the run, its data files resolved; the run's task list holds each task once.</summary>
/// <param name="Train">The training side: a trained task's train data, or a retention task's memory (null when it has none).</param>
/// <param name="Retention">Evaluated at every stage and never trained (<see cref="TaskSpec.Retention"/>).</param>
public sealed record TaskPlan(
    string Name, string? Train, string Eval, int? MaxTrainExamples, int? MaxEvalExamples, HoldOutSplit? Split = null, bool Retention = false)
{
    /// <summary>The sizes of a training-size sweep, in the recipe's order; null without one (<see cref="MaxTrainExamples"/> then applies).</summary>
    public IReadOnlyList<int>? TrainingSizes { get; init; }

    /// <summary>
    /// The task's augmentation pipelines, each a list of augmentations in order (bound and checked): one pipeline (perhaps
    /// empty) without a comparison, else one per compared list, the first the others are compared with.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<PlannedAugmentation>> AugmentVariants { get; init; } = [[]];

    /// <summary>A pipeline's name in labels: its augmentations joined by "+", or "none".</summary>
    public string VariantName(int variant) =>
        AugmentVariants[variant].Count == 0 ? "none" : string.Join("+", AugmentVariants[variant].Select(a => a.Name));

    /// <summary>The recipe field the training side comes from.</summary>
    public string TrainField => Retention ? "memory" : "train";
}
