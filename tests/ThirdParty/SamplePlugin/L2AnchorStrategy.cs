using System.ComponentModel;
using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace SamplePlugin;

public sealed class L2AnchorOptions
{
    [Description("Weight of the squared distance to the weights the previous task ended with.")]
    public double Strength { get; set; } = 1.0;
}

/// <summary>
/// A third party's continual strategy, written against the contract alone: plain L2 regularisation toward the weights
/// the previous task ended with (EWC with every Fisher entry 1).
/// </summary>
public sealed class L2AnchorStrategy : ContinualStrategy<L2AnchorOptions>
{
    public override string Name => "sample-l2-anchor";

    public override string Description => "Sample: squared distance to the previous task's weights added to the loss.";

    protected override IReadOnlyList<string> Validate(L2AnchorOptions options, AdapterTraits adapter) =>
        options.Strength >= 0 ? [] : [$"strength: expected a number >= 0, got {options.Strength}"];

    protected override IContinualLearner Start(ContinualSetup setup, L2AnchorOptions options) => new Learner(setup, options);

    /// <summary>The contract's <see cref="LearnerBase"/> gives one adapter for the sequence and saving; this adds the penalty.</summary>
    private sealed class Learner(ContinualSetup setup, L2AnchorOptions options) : LearnerBase(setup)
    {
        private Tensor[]? anchors;

        public override Tensor? Penalty()
        {
            if (anchors is null || Adapters.Count == 0) return null;
            var parameters = Adapters[0].TrainableParameters;
            Tensor total = (parameters[0].Parameter - anchors[0]).square().sum();
            for (int i = 1; i < parameters.Count; i++) total = total + (parameters[i].Parameter - anchors[i]).square().sum();
            return total * options.Strength;
        }

        public override void EndTask(int task, ITaskSamples samples) => TakeAnchors();

        protected override void AfterLoad() => TakeAnchors();

        protected override void DisposeState()
        {
            foreach (var anchor in anchors ?? []) anchor.Dispose();
        }

        private void TakeAnchors()
        {
            DisposeState();
            anchors = Adapters[0].TrainableParameters.Select(p => p.Parameter.detach().clone()).ToArray();
        }
    }
}

/// <summary>A third party's continual metric: the lowest score of any task after the last one.</summary>
public sealed class WorstFinalTaskMetric : IContinualMetric
{
    public string Name => "sample_worst_final";

    public string Description => "Sample: the lowest final score over all tasks.";

    public string Definition => "min over j of R[T][j]";

    public ContinualScore Compute(AccuracyMatrix matrix) => new(Enumerable.Range(0, matrix.Tasks).Min(j => matrix.R(matrix.Tasks - 1, j)));
}
