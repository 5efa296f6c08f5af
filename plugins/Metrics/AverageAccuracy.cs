using PeftQa.Abstractions;

namespace PeftQa.Plugins.Metrics;

/// <summary>ACC: the mean over tasks of the scores after the last task.</summary>
public sealed class AverageAccuracy : IContinualMetric
{
    public string Name => "acc";

    public string Description => "Average accuracy (GEM): mean score over all tasks after training on the last one.";

    public string Definition => "ACC = (1/T) sum over j of R[T][j]";

    public ContinualScore Compute(AccuracyMatrix m) => new(Enumerable.Range(0, m.Tasks).Average(j => m.R(m.Tasks - 1, j)));
}
