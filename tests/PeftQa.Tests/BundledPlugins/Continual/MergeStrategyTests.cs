using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Merging;
using PeftQa.Host.Modeling;
using PeftQa.Plugins.Continual;
using PeftQa.Plugins.FullFineTune;
using PeftQa.Plugins.Lora;
using PeftQa.Plugins.SoftPrompt;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.BundledPlugins.Continual;

/// <summary>The merge continual strategy through the plugin contract: after each task the model is the start plus the merge of every task's delta.</summary>
[Collection(SerialCollection.Name)]
public sealed class MergeStrategyTests
{
    private static readonly LoraOptions Lora = new() { R = 2, Alpha = 4, TargetModules = ["query", "value"] };

    private sealed class Samples(int task, int windows) : ITaskSamples
    {
        public int Task => task;
        public int Count => windows;
        public IReadOnlyList<int> SeenWindows => Enumerable.Range(0, windows).Concat(Enumerable.Range(0, windows)).ToList();
        public Tensor Loss(IReadOnlyList<int> indices) => throw new NotSupportedException();
        public Tensor Cls(IReadOnlyList<int> indices) => throw new NotSupportedException();
    }

    private static ContinualSetup Setup(BertForQuestionAnswering model, IAdapterStrategy strategy, object options) =>
        new(model, () => strategy.Attach(model, options), ["a", "b", "c"], Seed: 7);

    private static MergeStrategy Strategy() => new(new MergeMethods());

    /// <summary>Stands in for training: moves every trainable parameter; returns what the task changed, worked out from the factors.</summary>
    private static Dictionary<string, Tensor> Train(
        IContinualLearner learner, BertForQuestionAnswering model, Dictionary<string, Tensor> start, int task, int seed)
    {
        var parameters = learner.BeginTask(task);
        // Each task trains from the starting model: the merge so far is taken out, and the new adapter changes nothing yet.
        foreach (var p in model.NamedParameters)
            p.Parameter.detach().allclose(start[p.Name], rtol: 0, atol: 1e-7).Should().BeTrue($"task {task} starts from the start ({p.Name})");
        var startHead = model.HeadParameters.ToDictionary(p => p.Name, p => p.Parameter.detach().clone());
        using var generator = new Generator((ulong)seed);
        using (no_grad())
            foreach (var p in parameters) p.Parameter.add_(randn(p.Parameter.shape, generator: generator) * 0.1);
        var adapter = (LoraAdapter)learner.Adapters[^1];
        var deltas = adapter.Branches.ToDictionary(b => b.Target.Name + ".weight", b => (Tensor)(b.B.detach().matmul(b.A.detach()) * 2));
        foreach (var p in model.HeadParameters) deltas[p.Name] = p.Parameter.detach() - startHead[p.Name];
        return deltas;
    }

    private static Dictionary<string, Tensor> Snapshot(BertForQuestionAnswering model) =>
        model.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.detach().clone());

    private static void ShouldHold(BertForQuestionAnswering model, Dictionary<string, Tensor> start, IReadOnlyList<Dictionary<string, Tensor>> tasks,
        Func<string, IReadOnlyList<Tensor>, Tensor> merge)
    {
        foreach (var p in model.NamedParameters)
        {
            var expected = start[p.Name];
            if (tasks.Any(t => t.ContainsKey(p.Name)))
                expected = expected + merge(p.Name, tasks.Select(t => t.TryGetValue(p.Name, out var d) ? d : zeros_like(start[p.Name])).ToList());
            (p.Parameter.detach() - expected).abs().max().item<float>().Should().BeLessThan(1e-6f, p.Name);
        }
    }

    [Fact]
    public void After_each_task_the_model_is_the_start_plus_ties_of_every_tasks_delta_and_a_resume_restores_it()
    {
        using var model = TinyBert.Model();
        var start = Snapshot(model);
        var options = new MergeOptions { Method = "ties", Density = 0.5 };
        using var learner = Strategy().Start(Setup(model, new LoraStrategy(), Lora), options);
        var settings = new MergeSettings(0.5, "total", 7);
        Tensor Ties(string name, IReadOnlyList<Tensor> deltas)
        {
            using var generator = new Generator(settings.SeedFor(name));
            return new TiesMerge().Merge(deltas, Enumerable.Repeat(1.0, deltas.Count).ToList(), settings, generator);
        }

        var first = Train(learner, model, start, 0, 1);
        learner.EndTask(0, new Samples(0, 10));
        ShouldHold(model, start, [first], Ties);
        learner.Routing.Should().Be(EvaluationRouting.Shared, "one merged model answers every task");

        var second = Train(learner, model, start, 1, 2);
        learner.EndTask(1, new Samples(1, 30));
        ShouldHold(model, start, [first, second], Ties);

        learner.Activate(0);
        ShouldHold(model, start, [first], (_, deltas) => deltas[0]); // saving task 1's adapter: its own model, its own head
        learner.Activate(1);
        ShouldHold(model, start, [second], (_, deltas) => deltas[0]);
        learner.Activate(null);
        ShouldHold(model, start, [], Ties);

        using var folder = new TemporaryFolder();
        learner.Save(folder.Path);
        using var fresh = TinyBert.Model();
        using var resumed = Strategy().Start(Setup(fresh, new LoraStrategy(), Lora), options);
        resumed.BeginTask(0);
        resumed.BeginTask(1);
        resumed.Load(folder.Path);
        ShouldHold(fresh, start, [first, second], Ties);
    }

    [Fact]
    public void By_data_weights_follow_each_tasks_distinct_windows_with_mean_1_times_the_scale()
    {
        using var model = TinyBert.Model();
        var start = Snapshot(model);
        using var learner = Strategy().Start(Setup(model, new LoraStrategy(), Lora), new MergeOptions { Method = "linear", Weights = "by-data", Scale = 0.5 });

        var first = Train(learner, model, start, 0, 3);
        learner.EndTask(0, new Samples(0, 10));
        var second = Train(learner, model, start, 1, 4);
        learner.EndTask(1, new Samples(1, 30));

        // 10 and 30 distinct windows: weights 0.5 and 1.5 (mean 1), times the scale 0.5.
        ShouldHold(model, start, [first, second], (_, deltas) => deltas[0] * 0.25 + deltas[1] * 0.75);
    }

    [Fact]
    public void Mean_weights_average_the_task_vectors_merged_so_far()
    {
        using var model = TinyBert.Model();
        var start = Snapshot(model);
        using var learner = Strategy().Start(Setup(model, new LoraStrategy(), Lora), new MergeOptions { Method = "linear", Weights = "mean" });

        var first = Train(learner, model, start, 0, 5);
        learner.EndTask(0, new Samples(0, 10));
        ShouldHold(model, start, [first], (_, deltas) => deltas[0]);
        var second = Train(learner, model, start, 1, 6);
        learner.EndTask(1, new Samples(1, 30));
        ShouldHold(model, start, [first, second], (_, deltas) => (deltas[0] + deltas[1]) / 2);
    }

    [Fact]
    public void Bad_options_and_pairings_are_refused_by_name()
    {
        var lora = new LoraStrategy().Traits(Lora) with { Strategy = "lora" };
        var full = new FullFineTuneStrategy().Traits(new FullFineTuneOptions()) with { Strategy = "full" };
        var prompt = new PromptTuningStrategy().Traits(new PromptTuningOptions()) with { Strategy = "prompt-tuning" };
        var strategy = Strategy();

        strategy.Validate(new MergeOptions(), lora).Should().BeEmpty();
        strategy.Validate(new MergeOptions { Method = "median" }, lora).Should().ContainSingle().Which.Should()
            .StartWith("method: no merge method named 'median'; available: linear, svd, ties");
        strategy.Validate(new MergeOptions { Density = 0 }, lora).Should().ContainSingle().Which.Should().StartWith("density: expected a fraction in (0, 1]");
        strategy.Validate(new MergeOptions { Weights = "loss" }, lora).Should().ContainSingle().Which.Should().StartWith("weights: expected one of equal, mean, by-data");
        strategy.Validate(new MergeOptions { Scale = 0 }, lora).Should().ContainSingle().Which.Should().StartWith("scale: expected a positive number");
        strategy.Validate(new MergeOptions(), full).Should().ContainSingle().Which.Should().Contain("trains the base encoder's own weights");
        strategy.Validate(new MergeOptions(), prompt).Should().Contain(p => p.Contains("has no weight delta to merge"));
    }
}
