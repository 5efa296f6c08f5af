using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Host.Recipes;

/// <summary>
/// Early stopping on held-out data (Hugging Face's EarlyStoppingCallback with load_best_model_at_end): every
/// <see cref="Every"/> steps, and at a task's last step, the task's validation questions are scored; a task stops when
/// <see cref="Metric"/> has not risen by more than <see cref="MinDelta"/> over the best so far for
/// <see cref="Patience"/> scorings in a row, and with <see cref="KeepBest"/> the study goes on from the best-scoring step.
/// The validation questions are the selection split's when the recipe has <c>selection</c>, else
/// <see cref="ValidationFraction"/> of each task's training paragraphs; never evaluation data.
/// </summary>
public sealed record EarlyStoppingSettings
{
    [Description("The score that decides: one of evaluation.metrics, on the task's validation questions.")]
    public string Metric { get; init; } = "f1";

    [Description("Stop after this many scorings in a row without an improvement of more than minDelta over the best.")]
    [Range(1, int.MaxValue)]
    public int Patience { get; init; } = 3;

    [Description("The least rise of the metric (in its points: F1 0-100) that counts as an improvement.")]
    [Range(0.0, double.MaxValue)]
    public double MinDelta { get; init; } = 0.5;

    [Description("Score the validation questions every N optimizer steps (and at the task's last step).")]
    [Range(1, int.MaxValue)]
    public int Every { get; init; } = 500;

    [Description("Go on from (and evaluate) the weights of the best-scoring step, not the last (load_best_model_at_end).")]
    public bool KeepBest { get; init; } = true;

    [Description("Without selection: the share of each task's training paragraphs held out as its validation questions, in (0, 0.5]. " +
                 "With selection, its split is used and this is ignored.")]
    [Range(0.0, 0.5, MinimumIsExclusive = true)]
    public double ValidationFraction { get; init; } = 0.1;

    [Description("Without selection: score at most this many validation questions per task (a seeded sample; null: all held out). " +
                 "With selection, selection.maxQuestions applies.")]
    [Range(1, int.MaxValue)]
    public int? MaxQuestions { get; init; } = 1000;
}
