namespace PeftQa.Host.Studies;

/// <summary>Where a study stands after a halving rung (or a whole run).</summary>
/// <param name="Finished">The study's result when it finished (budget spent or stopped early); null when paused at the rung.</param>
/// <param name="Validation">Its scores there: at the pause, the validation questions'; finished, its final scores.</param>
/// <param name="Steps">The steps trained so far.</param>
public sealed record RungOutcome(StudyResult? Finished, IReadOnlyDictionary<string, double> Validation, int Steps);
