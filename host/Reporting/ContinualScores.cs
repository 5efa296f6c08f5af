using PeftQa.Abstractions;

namespace PeftQa.Host.Reporting;

/// <summary>The continual metrics of one study for one score (F1, exact match, ...): each metric's value and per-task values.</summary>
public sealed record ContinualScores(string Score, IReadOnlyDictionary<string, ContinualScore> Metrics);
