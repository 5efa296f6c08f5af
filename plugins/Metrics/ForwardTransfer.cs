using PeftQa.Abstractions;

namespace PeftQa.Plugins.Metrics;

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
