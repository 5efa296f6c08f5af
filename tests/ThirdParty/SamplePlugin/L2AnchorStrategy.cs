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

    private sealed class Learner(ContinualSetup setup, L2AnchorOptions options) : IContinualLearner
    {
        private IAdapter? adapter;
        private Tensor[]? anchors;

        public IReadOnlyList<IAdapter> Adapters => adapter is null ? [] : [adapter];

        public EvaluationRouting Routing => EvaluationRouting.Shared;

        public IReadOnlyList<NamedParameter> BeginTask(int task) => (adapter ??= setup.AttachAdapter()).TrainableParameters;

        public IReadOnlyList<WindowRef> ReplayWindows(int task, int batch) => [];

        public Tensor? Penalty()
        {
            if (anchors is null || adapter is null) return null;
            var parameters = adapter.TrainableParameters;
            Tensor total = (parameters[0].Parameter - anchors[0]).square().sum();
            for (int i = 1; i < parameters.Count; i++) total = total + (parameters[i].Parameter - anchors[i]).square().sum();
            return total * options.Strength;
        }

        public void EndTask(int task, ITaskSamples samples)
        {
            foreach (var anchor in anchors ?? []) anchor.Dispose();
            anchors = adapter!.TrainableParameters.Select(p => p.Parameter.detach().clone()).ToArray();
        }

        public void Save(string directory) => SafeTensors.Save(Path.Combine(directory, "l2-anchor.safetensors"),
            adapter!.TrainableParameters.Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Parameter)));

        public void Load(string directory)
        {
            AdapterFiles.LoadParameters(Path.Combine(directory, "l2-anchor.safetensors"), adapter!.TrainableParameters.Select(p => (p.Name, p.Parameter)),
                "this study's adapter", "saved by another recipe?");
            EndTask(setup.TaskNames.Count - 1, null!);
        }

        public void Activate(int? task)
        {
        }

        public int[] Route(Tensor baseCls) => throw new NotSupportedException();

        public void Dispose()
        {
            foreach (var anchor in anchors ?? []) anchor.Dispose();
            adapter?.Dispose();
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
