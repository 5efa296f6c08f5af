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

    [Description("The score that chooses: one of evaluation.metrics, averaged over the tasks after the last one is trained.")]
    public string Metric { get; init; } = "f1";
}
