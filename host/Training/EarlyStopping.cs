using PeftQa.Host.Recipes;

namespace PeftQa.Host.Training;

/// <summary>
/// Early stopping's decisions, the way Hugging Face's EarlyStoppingCallback makes them: a scoring counts as an
/// improvement when it beats the best score before it by more than <c>minDelta</c>; <c>patience</c> scorings in a row
/// without one stop the task. The best step (for <c>keepBest</c>) is the highest score however small its lead, the first
/// of equals. Pure: it sees only steps and scores, so a scripted sequence tests it and a saved state resumes it.
/// </summary>
public sealed class EarlyStopping(EarlyStoppingSettings settings, EarlyStoppingState? saved = null)
{
    /// <summary>What one scoring decided.</summary>
    /// <param name="IsBest">The score is the highest so far: keepBest saves these weights.</param>
    /// <param name="Stop">Patience ran out: the task stops here.</param>
    public sealed record Decision(bool IsBest, bool Stop);

    public EarlyStoppingSettings Settings => settings;

    public EarlyStoppingState State { get; private set; } = saved ?? EarlyStoppingState.Start;

    public bool Stopped => State.Stopped;

    /// <summary>Whether the validation questions are scored after <paramref name="step"/>: every <c>every</c> steps and at the last.</summary>
    public bool IsDue(int step, int lastStep) => !Stopped && (step % settings.Every == 0 || step == lastStep);

    public Decision Observe(int step, double score)
    {
        if (Stopped) throw new InvalidOperationException($"early stopping already stopped at step {State.Points[^1].Step}");
        bool improved = State.BestScore is not { } best || score - best > settings.MinDelta;
        bool isBest = State.BestScore is not { } highest || score > highest;
        int without = improved ? 0 : State.PointsWithoutImprovement + 1;
        bool stop = without >= settings.Patience;
        State = new EarlyStoppingState([.. State.Points, new ValidationPoint(step, score)],
            isBest ? step : State.BestStep, isBest ? score : State.BestScore, without, stop);
        return new Decision(isBest, stop);
    }

    /// <summary>Why training stopped, for logs and reports.</summary>
    public string PatienceReason =>
        $"{settings.Metric} did not rise more than {settings.MinDelta} above its best in {settings.Patience} validation(s) in a row";
}
