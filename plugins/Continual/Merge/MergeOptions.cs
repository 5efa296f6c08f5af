using System.ComponentModel;
using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

public sealed class MergeOptions
{
    [Description("The merge method, bundled (linear, svd, ties, dare_linear, dare_ties, magnitude_prune) or from a merge-method plugin.")]
    public string Method { get; set; } = "ties";

    [Description("The fraction of each task's delta kept by ties, dare_* and magnitude_prune, in (0, 1].")]
    public double Density { get; set; } = MergeSettings.DefaultDensity;

    [Description("How ties and dare_ties elect each entry's sign: total (sign of the sum) or frequency (most common sign).")]
    public string MajoritySign { get; set; } = "total";

    [Description("Each task's weight: equal (1 each: ties, dare_ties), mean (1/n each for the n tasks merged so far: task " +
                 "arithmetic's average, for linear) or by-data (proportional to the windows it trained on, 1 on average).")]
    public string Weights { get; set; } = "equal";

    [Description("Multiplies every weight (task arithmetic's lambda).")]
    public double Scale { get; set; } = 1;

    [Description("The rank svd truncates each merged matrix to; 0: full rank.")]
    public int Rank { get; set; }
}
