using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Host.Recipes;

public sealed record EvaluationSettings
{
    [Description("Metric plugins to report, by name.")]
    [MinLength(1)]
    public List<string> Metrics { get; init; } = ["exact_match", "f1"];

    [Description("Continual-learning metric plugins computed from each study's matrix of scores (needs two or more tasks).")]
    public List<string> ContinualMetrics { get; init; } = ["acc", "bwt", "fwt", "forgetting"];

    [Description("Candidate start and end positions kept per window.")]
    [Range(1, 1000)]
    public int NBestSize { get; init; } = 20;

    [Description("Longest answer in tokens.")]
    [Range(1, 4096)]
    public int MaxAnswerLength { get; init; } = 30;

    [Description("Learning curves (null: none): a seeded sample of each task's evaluation questions scored every N steps, written to " +
                 "metrics.jsonl and drawn in compare.png against steps and training seconds.")]
    public CurveSettings? Curve { get; init; }

    [Description("Evaluation batch size.")]
    [Range(1, int.MaxValue)]
    public int BatchSize { get; init; } = 32;
}
