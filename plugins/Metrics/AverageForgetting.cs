using PeftQa.Abstractions;

namespace PeftQa.Plugins.Metrics;

/// <summary>Average forgetting (Chaudhry et al.): for each earlier task, its best score before the last task minus its last score.</summary>
public sealed class AverageForgetting : IContinualMetric
{
    public string Name => "forgetting";

    public string Description =>
        "Average forgetting (Chaudhry et al. 2018): per earlier task, the best score it had before the last task minus its final score, averaged.";

    public string Definition =>
        "forgetting of task j = max over l<T of R[l][j] - R[T][j], averaged over j<T (Chaudhry et al.; not Avalanche's R[j][j] - R[T][j]); " +
        "positive means forgotten";

    public ContinualScore Compute(AccuracyMatrix m)
    {
        int last = m.Tasks - 1;
        var perTask = Enumerable.Range(0, m.Tasks)
            .Select(j => j < last ? Enumerable.Range(0, last).Max(l => m.R(l, j)) - m.R(last, j) : (double?)null).ToList();
        return new(last == 0 ? null : perTask.Take(last).Average(v => v!.Value), perTask);
    }
}
