using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Plugins.Continual;
using PeftQa.Plugins.Lora;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.BundledPlugins.Continual;

/// <summary>
/// Per-task adapters routed by content: a retention task's memory gives the starting model a centroid of its own, so
/// windows like that memory are answered by the starting model, which is what the retention task was learned with.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class RetentionRoutingTests
{
    /// <summary>The route IContinualLearner.Route gives for the starting model.</summary>
    private const int StartingModel = -1;

    private static readonly PerTaskAdaptersOptions Routed = new() { Routing = "centroid", CentroidWindows = 4 };

    /// <summary>Samples whose every window has the same [CLS] vector: one-hot at <paramref name="axis"/>, times <paramref name="sign"/>.</summary>
    private sealed class FixedCls(int task, int axis, float sign = 1) : ITaskSamples
    {
        public int Task => task;
        public int Count => 8;
        public IReadOnlyList<int> SeenWindows => Enumerable.Range(0, Count).ToList();
        public Tensor Loss(IReadOnlyList<int> windows) => throw new NotSupportedException();
        public Tensor Cls(IReadOnlyList<int> windows) => zeros(windows.Count, 32).index_fill_(1, tensor(new long[] { axis }), sign);
    }

    /// <summary>
    /// Samples spread around (x, y) in the first two of 32 dimensions: windows alternate (+-2, 0) and (0, +-0.1) from it,
    /// so the pooled variance is large along the first axis and small along the second.
    /// </summary>
    private sealed class SpreadCls(int task, float x, float y) : ITaskSamples
    {
        private static readonly (float X, float Y)[] Offsets = [(2, 0), (-2, 0), (0, 0.1f), (0, -0.1f)];
        public int Task => task;
        public int Count => 8;
        public IReadOnlyList<int> SeenWindows => Enumerable.Range(0, Count).ToList();
        public Tensor Loss(IReadOnlyList<int> windows) => throw new NotSupportedException();
        public Tensor Cls(IReadOnlyList<int> windows)
        {
            var rows = zeros(windows.Count, 32);
            for (int i = 0; i < windows.Count; i++)
            {
                var (dx, dy) = Offsets[windows[i] % Offsets.Length];
                rows[i, 0] = tensor(x + dx);
                rows[i, 1] = tensor(y + dy);
            }
            return rows;
        }
    }

    [Fact]
    public void Mahalanobis_routing_weighs_the_directions_that_tell_tasks_apart()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForQuestionAnswering(TinyBert.Config());
        var point = zeros(1, 32);
        point[0, 0] = tensor(1.5f); // 1.5 from a along the noisy axis; b is nearer in plain distance but 0.5 away along the quiet one

        int RouteWith(string distance)
        {
            using var learner = new PerTaskAdaptersStrategy().Start(Setup(model, withRetention: false),
                new PerTaskAdaptersOptions { Routing = "centroid", CentroidWindows = 8, Distance = distance });
            learner.BeginTask(0);
            learner.EndTask(0, new SpreadCls(0, 0, 0));
            learner.BeginTask(1);
            learner.EndTask(1, new SpreadCls(1, 2, 0.5f));
            return learner.Route(point)[0];
        }

        RouteWith("euclidean").Should().Be(1, "squared distances 2.25 to a, 0.5 to b");
        RouteWith("mahalanobis").Should().Be(0, "along the quiet axis b is many standard deviations away");
    }

    private static ContinualSetup Setup(BertForQuestionAnswering model, bool withRetention)
    {
        var lora = new LoraStrategy();
        return new ContinualSetup(model, () => lora.Attach(model, new LoraOptions { R = 2, TargetModules = ["query"] }), ["a", "b"], Seed: 5)
        {
            Retention = withRetention ? [new RetentionTask("kept", new FixedCls(2, axis: 0, sign: -1))] : [],
        };
    }

    private static IContinualLearner TrainedOnTwoTasks(BertForQuestionAnswering model, bool withRetention)
    {
        var learner = new PerTaskAdaptersStrategy().Start(Setup(model, withRetention), Routed);
        learner.BeginTask(0);
        learner.EndTask(0, new FixedCls(0, axis: 0));
        learner.BeginTask(1);
        learner.EndTask(1, new FixedCls(1, axis: 1));
        return learner;
    }

    /// <summary>Rows near task a's centroid, task b's and the retention memory's.</summary>
    private static Tensor Windows()
    {
        var rows = zeros(3, 32);
        rows[0, 0] = tensor(0.9f);
        rows[0, 1] = tensor(0.1f);
        rows[1, 0] = tensor(0.1f);
        rows[1, 1] = tensor(0.9f);
        rows[2, 0] = tensor(-0.8f);
        return rows;
    }

    [Fact]
    public void Windows_nearest_a_retention_memory_are_routed_to_the_starting_model_and_the_route_survives_save_and_load()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForQuestionAnswering(TinyBert.Config());
        using var learner = TrainedOnTwoTasks(model, withRetention: true);

        learner.Route(Windows()).Should().Equal(0, 1, StartingModel);

        using var folder = new TemporaryFolder();
        learner.Save(folder.Path);
        using var reloadedModel = new BertForQuestionAnswering(TinyBert.Config());
        using var reloaded = new PerTaskAdaptersStrategy().Start(Setup(reloadedModel, withRetention: true), Routed);
        reloaded.BeginTask(0);
        reloaded.BeginTask(1);
        reloaded.Load(folder.Path);
        reloaded.Route(Windows()).Should().Equal(0, 1, StartingModel);
    }

    [Fact]
    public void Without_a_retention_memory_every_window_goes_to_the_nearest_trained_adapter()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForQuestionAnswering(TinyBert.Config());
        using var learner = TrainedOnTwoTasks(model, withRetention: false);

        learner.Route(Windows()).Should().Equal(0, 1, 1);
    }
}
