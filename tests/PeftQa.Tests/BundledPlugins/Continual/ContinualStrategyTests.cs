using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Plugins.Continual;
using PeftQa.Plugins.FullFineTune;
using PeftQa.Plugins.Lora;
using PeftQa.Plugins.SoftPrompt;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.BundledPlugins.Continual;

/// <summary>The bundled continual strategies, each through the plugin contract on a tiny model.</summary>
[Collection(SerialCollection.Name)]
public sealed class ContinualStrategyTests
{
    /// <summary>Task data for learners: a given seen stream, a loss the test chooses, [CLS] vectors the test chooses.</summary>
    private sealed class FakeSamples(int task, IReadOnlyList<int> seen, Func<IReadOnlyList<int>, Tensor>? loss = null, Tensor? cls = null) : ITaskSamples
    {
        public int Task => task;
        public int Count => seen.Max() + 1;
        public IReadOnlyList<int> SeenWindows => seen;
        public Tensor Loss(IReadOnlyList<int> windows) => loss!(windows);
        public Tensor Cls(IReadOnlyList<int> windows) => cls!.expand(windows.Count, -1).clone();
    }

    private static ContinualSetup Setup(BertForQuestionAnswering model, IAdapterStrategy strategy, object options, int tasks = 3) =>
        new(model, () => strategy.Attach(model, options), Enumerable.Range(1, tasks).Select(i => $"task{i}").ToList(), Seed: 7);

    private static readonly LoraOptions Lora = new() { R = 2, Alpha = 4, TargetModules = ["query", "value"] };

    [Fact]
    public void Replay_remembers_a_reservoir_sample_of_each_task_and_mixes_it_in_reproducibly()
    {
        using var model = TinyBert.Model();
        var replay = new ReplayStrategy();
        var options = new ReplayOptions { MemoryPerTask = 5, PerBatch = 3 };
        using var learner = replay.Start(Setup(model, new FullFineTuneStrategy(), new FullFineTuneOptions()), options);
        learner.BeginTask(0);
        learner.ReplayWindows(0, 0).Should().BeEmpty("nothing is remembered during the first task");
        var seen = Enumerable.Range(0, 40).Concat(Enumerable.Range(0, 40)).ToList(); // two epochs over 40 windows
        learner.EndTask(0, new FakeSamples(0, seen));
        learner.BeginTask(1);

        var first = learner.ReplayWindows(1, 12);
        first.Should().HaveCount(3).And.OnlyContain(r => r.Task == 0 && r.Window >= 0 && r.Window < 40).And.OnlyHaveUniqueItems();
        learner.ReplayWindows(1, 12).Should().Equal(first, "the same batch gets the same windows, resumed or not");
        Enumerable.Range(0, 50).SelectMany(step => learner.ReplayWindows(1, step)).Select(r => r.Window).Distinct()
            .Should().HaveCount(5, "the memory holds memoryPerTask windows");

        using var folder = new TemporaryFolder();
        learner.Save(folder.Path);
        using var restored = replay.Start(Setup(model, new FullFineTuneStrategy(), new FullFineTuneOptions()), options);
        restored.BeginTask(0);
        restored.Load(folder.Path);
        restored.ReplayWindows(1, 12).Should().Equal(first);
    }

    [Fact]
    public void Ewc_penalty_is_half_lambda_times_fisher_times_squared_drift()
    {
        using var model = TinyBert.Model();
        var options = new EwcOptions { Lambda = 10, FisherWindows = 6, FisherBatchSize = 4 };
        using var learner = new EwcStrategy().Start(Setup(model, new FullFineTuneStrategy(), new FullFineTuneOptions()), options);
        var trainable = learner.BeginTask(0);
        var head = trainable.Single(p => p.Name == "qa_outputs.weight").Parameter;
        learner.Penalty().Should().BeNull("no task is consolidated yet");

        // Loss 2 * sum(head): its gradient is 2 everywhere on the head and 0 elsewhere, so the Fisher is 4 on the head.
        learner.EndTask(0, new FakeSamples(0, Enumerable.Range(0, 10).ToList(), _ => (head * 2).sum()));
        learner.BeginTask(1);
        using (var atAnchor = learner.Penalty()!) atAnchor.item<float>().Should().Be(0);
        using (no_grad()) head.add_(0.1);
        using var penalty = learner.Penalty()!;
        penalty.item<float>().Should().BeApproximately((float)(10 / 2.0 * 4 * 0.01 * head.numel()), 1e-3f);
        penalty.backward();
        head.grad!.mean().item<float>().Should().BeApproximately(10 * 4 * 0.1f, 1e-3f, "the gradient pulls back toward theta*");
    }

    [Fact]
    public void Per_task_adapters_keep_each_tasks_answers_exactly_and_route_by_centroid()
    {
        using var model = TinyBert.Model();
        var baseLogits = TinyBert.StartLogits(model);
        var options = new PerTaskAdaptersOptions { Routing = "centroid", CentroidWindows = 4 };
        using var learner = new PerTaskAdaptersStrategy().Start(Setup(model, new LoraStrategy(), Lora), options);
        learner.Routing.Should().Be(EvaluationRouting.ByContent);

        var afterTask = new List<Tensor>();
        for (int task = 0; task < 2; task++)
        {
            var trainable = learner.BeginTask(task);
            using (no_grad())
                foreach (var p in trainable) p.Parameter.add_(randn_like(p.Parameter) * 0.5); // stands in for training
            var centre = zeros(1, 32);
            centre[0, task] = 1;
            learner.EndTask(task, new FakeSamples(task, [0, 1, 2, 3], cls: centre));
            afterTask.Add(TinyBert.StartLogits(model));
        }
        learner.Adapters.Should().HaveCount(2);

        learner.Activate(0);
        TinyBert.StartLogits(model).allclose(afterTask[0], rtol: 0, atol: 0).Should().BeTrue("task 1's adapter and head are untouched by task 2");
        learner.Activate(1);
        TinyBert.StartLogits(model).allclose(afterTask[1], rtol: 0, atol: 0).Should().BeTrue();
        learner.Activate(null);
        var hidden = TinyBert.Hidden(model);
        using (var freshModel = TinyBert.Model()) hidden.allclose(TinyBert.Hidden(freshModel)).Should().BeTrue("null is the base encoder");
        afterTask[0].allclose(baseLogits).Should().BeFalse();

        var queries = tensor(new float[] { 0.9f, 0.1f, 0.2f, 1.1f }).view(2, 2);
        learner.Route(cat([queries, zeros(2, 30)], 1)).Should().Equal(0, 1);
    }

    [Fact]
    public void O_lora_freezes_the_old_lora_and_penalises_overlap_of_the_a_matrices()
    {
        using var model = TinyBert.Model();
        using var learner = new OLoraStrategy().Start(Setup(model, new LoraStrategy(), Lora), new OLoraOptions { Lambda = 0.5 });
        var first = learner.BeginTask(0);
        learner.Penalty().Should().BeNull();
        learner.EndTask(0, new FakeSamples(0, [0]));
        var second = learner.BeginTask(1);

        first.Where(p => p.Name.Contains("lora_")).Should().OnlyContain(p => !p.Parameter.requires_grad, "the earlier LoRA is frozen");
        second.Where(p => p.Name.Contains("lora_")).Should().OnlyContain(p => p.Parameter.requires_grad);
        learner.Adapters.Should().OnlyContain(a => a.Enabled, "earlier LoRAs keep contributing");
        double expected = first.Where(p => p.Name.EndsWith("lora_A.weight")).Sum(old =>
        {
            var current = second.Single(p => p.Name == old.Name).Parameter;
            using var product = matmul(old.Parameter, current.t());
            return 0.5 * product.square().sum().item<float>();
        });
        using var penalty = learner.Penalty()!;
        penalty.item<float>().Should().BeApproximately((float)expected, 1e-5f).And.BeGreaterThan(0);
    }

    [Fact]
    public void Pairings_that_make_no_sense_are_refused_by_name()
    {
        var full = new FullFineTuneStrategy().Traits(new FullFineTuneOptions());
        var lora = new LoraStrategy().Traits(Lora);
        var prefix = new PTuningV2Strategy().Traits(new PTuningV2Options { PrefixLength = 2 });
        full.TrainsBaseWeights.Should().BeTrue();
        lora.Should().Match<AdapterTraits>(t => !t.TrainsBaseWeights && t.CanAttachSeveral);
        prefix.Should().Match<AdapterTraits>(t => !t.TrainsBaseWeights && t.CanAttachSeveral, "a disabled prefix frees the model's slot for another");

        new PerTaskAdaptersStrategy().Validate(new PerTaskAdaptersOptions(), full).Should().ContainSingle().Which.Should().Contain("'full'");
        new PerTaskAdaptersStrategy().Validate(new PerTaskAdaptersOptions(), lora).Should().BeEmpty();
        new PerTaskAdaptersStrategy().Validate(new PerTaskAdaptersOptions { Routing = "guess" }, lora).Should().ContainSingle().Which.Should().StartWith("routing:");
        new OLoraStrategy().Validate(new OLoraOptions(), prefix).Should().ContainSingle().Which.Should().Contain("'p-tuning-v2'");
        new OLoraStrategy().Validate(new OLoraOptions(), lora).Should().BeEmpty();
        new EwcStrategy().Validate(new EwcOptions(), prefix).Should().BeEmpty("EWC protects whatever the adapter trains");
        new ReplayStrategy().Validate(new ReplayOptions { PerBatch = 0 }, full).Should().ContainSingle().Which.Should().StartWith("perBatch:");
    }
}
