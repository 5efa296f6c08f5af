using System.Text.Json.Nodes;

namespace PeftQa.Host.Evaluation;

/// <summary>A score with its 95% bootstrap confidence interval over questions.</summary>
public sealed record ScoreInterval(double Mean, double Low, double High)
{
    /// <summary>As results.json and compare.json hold it: <c>{"mean": m, "ci95": [low, high]}</c>.</summary>
    public JsonObject ToJson() => new() { ["mean"] = Mean, ["ci95"] = new JsonArray(Low, High) };

    /// <summary>"53.33 [50.12, 56.40]".</summary>
    public string Format() => FormattableString.Invariant($"{Mean:F2} [{Low:F2}, {High:F2}]");
}
