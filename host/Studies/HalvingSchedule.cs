using PeftQa.Host.Recipes;

namespace PeftQa.Host.Studies;

/// <summary>
/// Successive halving's rungs for a search of <see cref="Candidates"/> candidates: every candidate trains
/// <see cref="MinSteps"/> steps; after each rung the best ceil(n / eta) go on from their own checkpoints to eta times the
/// steps, and the last one left trains the whole <see cref="BudgetSteps"/>. Every candidate keeps the learning-rate
/// schedule of the whole budget, so a candidate that reaches the budget has trained exactly as a grid candidate does.
/// </summary>
public sealed record HalvingSchedule(int Candidates, int Eta, int MinSteps, int BudgetSteps)
{
    /// <summary>One rung: the step the candidates train to, and how many train to it (at most; fewer when some stopped early).</summary>
    public sealed record Rung(int Steps, int Candidates);

    /// <summary>The schedule of a search, with <c>selection.minSteps</c> or its default.</summary>
    public static HalvingSchedule For(int candidates, SelectionSettings selection, int budgetSteps) =>
        new(candidates, selection.Eta, selection.MinSteps ?? DefaultMinSteps(candidates, selection.Eta, budgetSteps), budgetSteps);

    /// <summary>The budget over eta^k, rounded up, with k the halvings that leave one candidate: the last halving lands on the budget.</summary>
    public static int DefaultMinSteps(int candidates, int eta, int budgetSteps)
    {
        long divisor = 1;
        for (int left = candidates; left > 1; left = Survivors(left, eta)) divisor *= eta;
        return (int)Math.Max(1, (budgetSteps + divisor - 1) / divisor);
    }

    /// <summary>How many of <paramref name="count"/> candidates go on to the next rung: ceil(count / eta), at least one.</summary>
    public static int Survivors(int count, int eta) => Math.Max(1, (count + eta - 1) / eta);

    /// <summary>The rungs in order; the last trains to the budget.</summary>
    public IReadOnlyList<Rung> Rungs()
    {
        var rungs = new List<Rung> { new((int)Math.Min(MinSteps, BudgetSteps), Candidates) };
        long planned = MinSteps;
        while (rungs[^1].Steps < BudgetSteps)
        {
            int left = Survivors(rungs[^1].Candidates, Eta);
            planned *= Eta;
            rungs.Add(new Rung(left == 1 ? BudgetSteps : (int)Math.Min(planned, BudgetSteps), left));
        }
        return rungs;
    }

    /// <summary>Optimizer steps the search trains, all candidates together, when none stops early.</summary>
    public long TrainedSteps()
    {
        var rungs = Rungs();
        return rungs.Select((rung, k) => (long)rung.Candidates * (rung.Steps - (k == 0 ? 0 : rungs[k - 1].Steps))).Sum();
    }

    /// <summary>"3 at 40 steps, 1 at 360": each rung's candidates and steps.</summary>
    public override string ToString() => string.Join(", ", Rungs().Select(r => $"{r.Candidates} to step {r.Steps}"));
}
