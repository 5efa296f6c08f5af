using PeftQa.Abstractions;

namespace PeftQa.Plugins.Metrics;

/// <summary>BWT: how training on later tasks changed the earlier ones; negative is forgetting.</summary>
public sealed class BackwardTransfer : IContinualMetric
{
    public string Name => "bwt";

    public string Description =>
        "Backward transfer (GEM): mean change on each earlier task from just after learning it to the end; negative means forgetting.";

    public string Definition => "BWT = 1/(T-1) sum over j<T of (R[T][j] - R[j][j]); per task: R[T][j] - R[j][j]";

    public ContinualScore Compute(AccuracyMatrix m)
    {
        int last = m.Tasks - 1;
        var perTask = Enumerable.Range(0, m.Tasks).Select(j => j < last ? m.R(last, j) - m.R(j, j) : (double?)null).ToList();
        return new(last == 0 ? null : perTask.Take(last).Average(v => v!.Value), perTask);
    }
}
