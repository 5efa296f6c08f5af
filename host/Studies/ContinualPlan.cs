using PeftQa.Abstractions;

namespace PeftQa.Host.Studies;

/// <summary>A continual-learning strategy as a study uses it.</summary>
public sealed record ContinualPlan(string Label, IContinualStrategy Strategy, object Options);
