using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Host.Recipes;

public sealed record CompareSettings
{
    [Description("Label of the study every other study is compared with (the paired bootstrap difference of each score); null: the first study.")]
    public string? Reference { get; init; }

    [Description("Bootstrap resamples over questions for every 95% interval (seeded by the recipe's seed).")]
    [Range(1000, 1000000)]
    public int Resamples { get; init; } = 1000;
}
