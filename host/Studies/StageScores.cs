namespace PeftQa.Host.Studies;

/// <summary>One stage's scores: per trained task, then per retention task (metric name to score).</summary>
internal sealed record StageScores(List<Dictionary<string, double>> Trained, List<Dictionary<string, double>> Retention);
