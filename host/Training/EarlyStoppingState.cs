namespace PeftQa.Host.Training;

/// <summary>
/// Where early stopping stands, saved with every checkpoint so a resumed task stops where an uninterrupted one would.
/// </summary>
/// <param name="Points">Every validation scoring so far, in step order.</param>
/// <param name="BestStep">The step of the highest score so far (the first of equals); null before the first scoring.</param>
/// <param name="PointsWithoutImprovement">Scorings in a row that did not beat the best before them by more than minDelta.</param>
/// <param name="Stopped">Whether patience ran out at the last point.</param>
public sealed record EarlyStoppingState(
    IReadOnlyList<ValidationPoint> Points, int? BestStep, double? BestScore, int PointsWithoutImprovement, bool Stopped)
{
    public static readonly EarlyStoppingState Start = new([], null, null, 0, false);
}
