namespace PeftQa.Host.Evaluation;

/// <summary>
/// A metric's score among an evaluation's scores, named as a recipe names it: metric plugins are found ignoring case, so
/// a recipe's "F1" is the plugin "f1", whose name keys the scores.
/// </summary>
public static class MetricScores
{
    /// <exception cref="KeyNotFoundException">No score of that metric.</exception>
    public static double Of(IReadOnlyDictionary<string, double> scores, string metric) =>
        scores.TryGetValue(metric, out var exact) ? exact
        : scores.FirstOrDefault(s => string.Equals(s.Key, metric, StringComparison.OrdinalIgnoreCase)) is { Key: not null } found ? found.Value
        : throw new KeyNotFoundException($"no score of metric '{metric}' (scores: {string.Join(", ", scores.Keys)})");
}
