using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Host.Recipes;

/// <summary>
/// Hyperparameter selection on data the evaluation never sees: part of each task's training data (whole paragraphs,
/// seeded) is held out as a validation set; every combination of a search is trained on the rest and scored there, and
/// only each method's best combination is trained for the evaluation set.
/// </summary>
public sealed record SelectionSettings
{
    [Description("Share of each task's training paragraphs held out for validation, in (0, 0.5]. Every study, searched or not, trains on the " +
                 "rest, so all train on the same data.")]
    [Range(0.0, 0.5, MinimumIsExclusive = true)]
    public double ValidationFraction { get; init; } = 0.1;

    [Description("Use at most this many validation questions per task (a seeded sample; null: all held-out questions).")]
    [Range(1, int.MaxValue)]
    public int? MaxQuestions { get; init; }

    /// <summary>The strategies <see cref="Strategy"/> accepts.</summary>
    public static readonly IReadOnlyList<string> Strategies = ["grid", "halving"];

    [Description("grid (the default): every candidate trains the whole budget. halving: successive halving: every candidate trains " +
                 "minSteps, the best 1/eta by validation score go on from their own checkpoints to eta x minSteps, and so on until one " +
                 "remains, which trains the whole budget (one trained task only).")]
    public string Strategy { get; init; } = "grid";

    [Description("halving: the share of candidates kept at each rung is 1/eta.")]
    [Range(2, int.MaxValue)]
    public int Eta { get; init; } = 3;

    [Description("halving: the steps of the first rung (null: the budget / eta^k, rounded up, with k the halvings that leave one " +
                 "candidate); must be below the task's budget.")]
    [Range(1, int.MaxValue)]
    public int? MinSteps { get; init; }

    [Description("The score that chooses: one of evaluation.metrics, averaged over the tasks after the last one is trained.")]
    public string Metric { get; init; } = "f1";
}
