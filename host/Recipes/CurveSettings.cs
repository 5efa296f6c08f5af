using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Host.Recipes;

/// <summary>A learning curve: a fixed seeded sample of each task's evaluation questions, scored as training goes.</summary>
public sealed record CurveSettings
{
    [Description("Score the sample every N optimizer steps (and at the last step).")]
    [Range(1, int.MaxValue)]
    public int Every { get; init; } = 50;

    [Description("Evaluation questions in the sample (seeded by the recipe's seed, the same for every study).")]
    [Range(1, int.MaxValue)]
    public int Questions { get; init; } = 200;
}
