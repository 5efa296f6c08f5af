using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PeftQa.Host.Studies;

namespace PeftQa.Host.Reporting;

/// <summary>
/// A configuration run with several seeds (<c>seeds</c> in the recipe): one score's value per seed, their mean and
/// standard deviation.
/// </summary>
public sealed record SeedSummary(string Configuration, string Metric, IReadOnlyList<int> Seeds, IReadOnlyList<double> Values)
{
    public double Mean => Values.Average();

    /// <summary>The sample standard deviation (n - 1), as numpy's std(ddof=1) and most papers report it.</summary>
    public double StandardDeviation => Values.Count < 2 ? 0 : Math.Sqrt(Values.Sum(v => (v - Mean) * (v - Mean)) / (Values.Count - 1));

    public string Format() => FormattableString.Invariant($"{Mean:F2} ± {StandardDeviation:F2}");

    /// <summary>Every configuration with two or more seeds, each score after the last task (the mean over tasks).</summary>
    public static List<SeedSummary> Of(IReadOnlyList<StudyResult> studies, IEnumerable<string> metrics) =>
        (from configuration in studies.GroupBy(s => s.ConfigurationLabel).Where(g => g.Count() > 1)
         from metric in metrics
         let seeded = configuration.Where(s => s.Final.ContainsKey(metric)).ToList()
         where seeded.Count > 1
         select new SeedSummary(
             configuration.Key, metric, seeded.Select(s => s.Seed ?? 0).ToList(), seeded.Select(s => s.Final[metric]).ToList())).ToList();

    public JsonObject ToJson() => new()
    {
        ["configuration"] = Configuration, ["metric"] = Metric, ["seeds"] = new JsonArray(Seeds.Select(s => (JsonNode?)s).ToArray()),
        ["values"] = new JsonArray(Values.Select(v => (JsonNode?)v).ToArray()), ["mean"] = Mean, ["sd"] = StandardDeviation,
    };

    /// <summary>A markdown table, configuration by score: "mean ± sd" over the seeds; empty when no configuration has several.</summary>
    public static string Markdown(IReadOnlyList<SeedSummary> summaries)
    {
        if (summaries.Count == 0) return "";
        var metrics = summaries.Select(s => s.Metric).Distinct().ToList();
        var text = new StringBuilder();
        text.AppendLine("Across seeds (each seed's score after the last task; mean ± sample standard deviation):").AppendLine();
        text.AppendLine($"| configuration | seeds | {string.Join(" | ", metrics)} |");
        text.AppendLine($"|---|---|{string.Concat(metrics.Select(_ => "---:|"))}");
        foreach (var group in summaries.GroupBy(s => s.Configuration))
            text.AppendLine($"| {group.Key} | {string.Join(", ", group.First().Seeds.Select(s => s.ToString(CultureInfo.InvariantCulture)))} | " +
                            $"{string.Join(" | ", metrics.Select(m => group.FirstOrDefault(s => s.Metric == m)?.Format() ?? "-"))} |");
        return text.AppendLine().ToString();
    }
}
