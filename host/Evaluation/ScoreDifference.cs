using System.Text.Json.Nodes;

namespace PeftQa.Host.Evaluation;

/// <summary>A study's score minus the reference study's on the same questions, with the paired 95% bootstrap interval.</summary>
public sealed record ScoreDifference(double Mean, double Low, double High)
{
    /// <summary>The interval lies wholly above or below 0: at this confidence the two studies differ.</summary>
    public bool ExcludesZero => Low > 0 || High < 0;

    public JsonObject ToJson() => new()
    {
        ["mean"] = Mean, ["ci95"] = new JsonArray(Low, High), ["excludesZero"] = ExcludesZero,
    };

    /// <summary>"+2.17 [0.43, 3.91]", with a trailing * when the interval excludes 0.</summary>
    public string Format() => FormattableString.Invariant($"{Mean:+0.00;-0.00;0.00} [{Low:F2}, {High:F2}]{(ExcludesZero ? " *" : "")}");
}
