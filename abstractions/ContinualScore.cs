namespace PeftQa.Abstractions;

/// <summary>A continual metric's value for the study, and per task where it has one (null entries where undefined for that task).</summary>
public sealed record ContinualScore(double? Value, IReadOnlyList<double?>? PerTask = null);
