using PeftQa.Abstractions;

namespace PeftQa.Plugins.Metrics;

// The GEM definitions (Lopez-Paz and Ranzato, 2017) and Chaudhry et al.'s forgetting (2018), with tasks numbered from 0
// and T tasks: R[i][j] is task j's score after training through task i, b[j] its score before any training.

/// <summary>ACC: the mean over tasks of the scores after the last task.</summary>
public sealed class AverageAccuracy : IContinualMetric
{
    public string Name => "acc";

    public string Description => "Average accuracy (GEM): mean score over all tasks after training on the last one.";

    public string Definition => "ACC = (1/T) sum over j of R[T][j]";

    public ContinualScore Compute(AccuracyMatrix m) => new(Enumerable.Range(0, m.Tasks).Average(j => m.R(m.Tasks - 1, j)));
}

/// <summary>BWT: how training on later tasks changed the earlier ones; negative is forgetting.</summary>
public sealed class BackwardTransfer : IContinualMetric
{
    public string Name => "bwt";

    public string Description => "Backward transfer (GEM): mean change on each earlier task from just after learning it to the end; negative means forgetting.";

    public string Definition => "BWT = 1/(T-1) sum over j<T of (R[T][j] - R[j][j]); per task: R[T][j] - R[j][j]";

    public ContinualScore Compute(AccuracyMatrix m)
    {
        int last = m.Tasks - 1;
        var perTask = Enumerable.Range(0, m.Tasks).Select(j => j < last ? m.R(last, j) - m.R(j, j) : (double?)null).ToList();
        return new(last == 0 ? null : perTask.Take(last).Average(v => v!.Value), perTask);
    }
}

/// <summary>FWT: how training on the earlier tasks helps a task before it is trained on.</summary>
public sealed class ForwardTransfer : IContinualMetric
{
    public string Name => "fwt";

    public string Description => "Forward transfer (GEM): mean gain on each task, before training on it, over the untrained model.";

    public string Definition => "FWT = 1/(T-1) sum over j>=2 of (R[j-1][j] - b[j]); per task: R[j-1][j] - b[j]";

    public ContinualScore Compute(AccuracyMatrix m)
    {
        var perTask = Enumerable.Range(0, m.Tasks).Select(j => j > 0 ? m.R(j - 1, j) - m.Baseline[j] : (double?)null).ToList();
        return new(m.Tasks < 2 ? null : perTask.Skip(1).Average(v => v!.Value), perTask);
    }
}

/// <summary>Average forgetting (Chaudhry et al.): for each earlier task, its best score before the last task minus its last score.</summary>
public sealed class AverageForgetting : IContinualMetric
{
    public string Name => "forgetting";

    public string Description => "Average forgetting (Chaudhry et al. 2018): per earlier task, the best score it had before the last task minus its final score, averaged.";

    public string Definition => "forgetting of task j = max over l<T of R[l][j] - R[T][j], averaged over j<T (Chaudhry et al.; not Avalanche's R[j][j] - R[T][j]); positive means forgotten";

    public ContinualScore Compute(AccuracyMatrix m)
    {
        int last = m.Tasks - 1;
        var perTask = Enumerable.Range(0, m.Tasks)
            .Select(j => j < last ? Enumerable.Range(0, last).Max(l => m.R(l, j)) - m.R(last, j) : (double?)null).ToList();
        return new(last == 0 ? null : perTask.Take(last).Average(v => v!.Value), perTask);
    }
}
