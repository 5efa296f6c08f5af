using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Modeling;
using PeftQa.Plugins.Continual;
using PeftQa.Plugins.FullFineTune;
using PeftQa.Plugins.Metrics;
using PeftQa.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.BundledPlugins.Continual;

/// <summary>LwF's distillation loss, A-GEM's projection and the continual bootstrap, against values computed by hand.</summary>
[Collection(SerialCollection.Name)]
public sealed class DistillationAndProjectionTests
{
    [Fact]
    public void Distillation_is_the_mean_over_windows_of_start_and_end_KL_divergences_at_temperature_T_over_real_tokens()
    {
        // Start: teacher (ln 3, 0) -> p = (3/4, 1/4), student (0, 0) -> q = (1/2, 1/2): KL = 3/4 ln 1.5 + 1/4 ln 0.5 = 0.1308120.
        // End: teacher (0, 0) -> p = (1/2, 1/2), student (ln 2, 0) -> q = (2/3, 1/3): KL = 1/2 ln 0.75 + 1/2 ln 1.5 = 0.0588915.
        // The third position is padding: whatever its logits, it counts for nothing.
        var start = tensor(new float[] { 0, 0, 50 }).view(1, 3);
        var end = tensor(new float[] { MathF.Log(2), 0, -50 }).view(1, 3);
        var teacherStart = tensor(new float[] { MathF.Log(3), 0, -50 }).view(1, 3);
        var teacherEnd = tensor(new float[] { 0, 0, 50 }).view(1, 3);
        var mask = tensor(new long[] { 1, 1, 0 }).view(1, 3);

        DistillationLoss.Compute(start, end, teacherStart, teacherEnd, mask, temperature: 1).ToDouble().Should().BeApproximately((0.1308120359 + 0.0588915178) / 2, 1e-6);
        // T = 2 softens both: 0.0363408 and 0.0149396.
        DistillationLoss.Compute(start, end, teacherStart, teacherEnd, mask, temperature: 2).ToDouble().Should().BeApproximately((0.0363407829 + 0.0149396113) / 2, 1e-6);

        // Two windows, the second one identical in both models (KL 0): the mean over windows halves the value.
        var two = (Tensor t, Tensor u) => cat([t, u], 0);
        DistillationLoss.Compute(two(start, teacherStart), two(end, teacherEnd), two(teacherStart, teacherStart), two(teacherEnd, teacherEnd), two(mask, mask), 1)
            .ToDouble().Should().BeApproximately((0.1308120359 + 0.0588915178) / 4, 1e-6);
    }

    [Fact]
    public void A_gem_projects_a_conflicting_gradient_onto_the_plane_orthogonal_to_the_reference_and_leaves_others_alone()
    {
        // g = ((1, 0), (2)), g_ref = ((-1, 1), (-1)): g.g_ref = -3, |g_ref|^2 = 3, so g' = g + g_ref = ((0, 1), (1)), and g'.g_ref = 0.
        Tensor[] gradient = [tensor(new float[] { 1, 0 }), tensor(new float[] { 2 })];
        Tensor[] reference = [tensor(new float[] { -1, 1 }), tensor(new float[] { -1 })];
        GradientProjection.Project(gradient, reference).Should().BeTrue();
        gradient[0].data<float>().ToArray().Should().Equal(0f, 1f);
        gradient[1].data<float>().ToArray().Should().Equal(1f);

        Tensor[] agreeing = [tensor(new float[] { 1, 1 }), tensor(new float[] { 0 })];
        GradientProjection.Project(agreeing, [tensor(new float[] { 1, 0 }), tensor(new float[] { 0 })]).Should().BeFalse("g.g_ref = 1 >= 0");
        agreeing[0].data<float>().ToArray().Should().Equal(1f, 1f);
    }

    [Fact]
    public void Lwf_refuses_an_adapter_whose_earlier_parameter_values_cannot_recreate_the_previous_model_and_a_gem_serves_any()
    {
        var stateful = new AdapterTraits
        {
            Strategy = "running-stats", TrainsBaseWeights = false, CanAttachSeveral = true, Needs = ModelNeeds.LinearExtensions, KeepsStateOutsideParameters = true,
        };
        new LwfStrategy().Validate(new LwfOptions(), stateful).Should().ContainSingle()
            .Which.Should().Contain("adapter strategy 'running-stats' computes with state outside its trainable parameters");
        new LwfStrategy().Validate(new LwfOptions(), stateful with { KeepsStateOutsideParameters = false }).Should().BeEmpty();
        new AGemStrategy().Validate(new AGemOptions(), stateful).Should().BeEmpty("A-GEM only changes the gradients of what the adapter trains");
    }

    /// <summary>A reference loss the test chooses, recording which windows A-GEM asked for.</summary>
    private sealed class FakeGradientStep(int task, int step, IReadOnlyList<NamedParameter> trainable, Func<Tensor> loss) : IGradientStep
    {
        public List<WindowRef> Asked { get; } = [];
        public int Task => task;
        public int Step => step;
        public IReadOnlyList<NamedParameter> Trainable => trainable;
        public Tensor Loss(IReadOnlyList<WindowRef> windows) { Asked.AddRange(windows); return loss(); }
    }

    private sealed class SeenSamples(int task, int count) : ITaskSamples
    {
        public int Task => task;
        public int Count => count;
        public IReadOnlyList<int> SeenWindows => Enumerable.Range(0, count).ToList();
        public Tensor Loss(IReadOnlyList<int> windows) => throw new NotSupportedException();
        public Tensor Cls(IReadOnlyList<int> windows) => throw new NotSupportedException();
    }

    [Fact]
    public void The_a_gem_learner_samples_its_memory_and_projects_the_step_gradient_it_is_given()
    {
        using var model = new BertForQuestionAnswering(TinyBert.Config());
        var full = new FullFineTuneStrategy();
        var log = new List<string>();
        var setup = new ContinualSetup(model, () => full.Attach(model, new FullFineTuneOptions()), ["a", "b"], Seed: 5) { Log = log.Add };
        using var learner = new AGemStrategy().Start(setup, new AGemOptions { MemoryPerTask = 10, ReferenceWindows = 4 });
        var trainable = learner.BeginTask(0);
        var head = trainable.Single(p => p.Name == "qa_outputs.bias").Parameter;
        var noMemory = new FakeGradientStep(0, 0, trainable, () => throw new InvalidOperationException("no memory yet"));
        learner.AdjustGradients(noMemory);
        learner.EndTask(0, new SeenSamples(0, 30));
        learner.BeginTask(1);

        // The step's gradient on the head's bias is g = (1, 2); the memory's is -g: they conflict, and the projection removes all of g.
        var g = tensor(new float[] { 1, 2 });
        (head * g).sum().backward();
        var step = new FakeGradientStep(1, 3, trainable, () => (head * -g).sum());
        learner.AdjustGradients(step);
        head.grad!.data<float>().ToArray().Should().Equal(0f, 0f);
        step.Asked.Should().HaveCount(4).And.OnlyContain(w => w.Task == 0 && w.Window < 30).And.OnlyHaveUniqueItems();

        // A memory gradient that agrees leaves the step's gradient as it was; the same step draws the same windows.
        head.grad!.zero_();
        (head * g).sum().backward();
        var again = new FakeGradientStep(1, 3, trainable, () => (head * g * 3).sum());
        learner.AdjustGradients(again);
        head.grad!.data<float>().ToArray().Should().Equal(1f, 2f);
        again.Asked.Should().Equal(step.Asked, "a resumed run draws the same reference windows");
        learner.EndTask(1, new SeenSamples(1, 10));
        log.Should().Equal("a-gem projected the gradient of 1 of 2 steps on b (the others did not conflict with the memory's)");
    }

    /// <summary><see cref="TinyBert.Batch"/> as a training batch: the term is asked for first, then the training forward pass runs, as the trainer does.</summary>
    private sealed class TinyBatch(BertForQuestionAnswering model) : ITrainingBatch
    {
        private static readonly (Tensor Ids, Tensor Mask, Tensor Types) Inputs = TinyBert.Batch();
        public int Task => 0;
        public Tensor AttentionMask => Inputs.Mask;
        public (Tensor Start, Tensor End) ForwardWithoutDropout() { using var _ = no_grad(); return model.Forward(Inputs.Ids, Inputs.Mask, Inputs.Types); }
        public (Tensor Start, Tensor End) Forward() => model.Forward(Inputs.Ids, Inputs.Mask, Inputs.Types);
    }

    [Fact]
    public void The_lwf_learner_distils_the_model_as_the_task_started_and_leaves_the_current_weights_in_place()
    {
        using var model = new BertForQuestionAnswering(TinyBert.Config());
        model.eval();
        var full = new FullFineTuneStrategy();
        ContinualSetup Setup(bool startsFromQaModel) => new(model, () => full.Attach(model, new FullFineTuneOptions()), ["a", "b"], Seed: 5) { StartsFromQaModel = startsFromQaModel };
        var options = new LwfOptions { Alpha = 0.5, Temperature = 2 };

        using (var fromBase = new LwfStrategy().Start(Setup(false), options))
        {
            fromBase.BeginTask(0);
            fromBase.BeforeTraining(0);
            fromBase.BatchPenalty(new TinyBatch(model)).Should().BeNull("a base model's fresh head has nothing to teach on the first task");
        }

        using var learner = new LwfStrategy().Start(Setup(true), options);
        var head = learner.BeginTask(0).Single(p => p.Name == "qa_outputs.weight").Parameter;
        learner.BeforeTraining(0);
        var batch = new TinyBatch(model);
        var (start, end) = batch.Forward();
        learner.BatchPenalty(batch)!(start, end).ToDouble().Should().BeApproximately(0, 1e-7, "the model has not moved from its teacher");

        var (teacherStart, teacherEnd) = batch.ForwardWithoutDropout();
        using (no_grad()) head.add_(randn_like(head) * 0.5);
        var moved = head.detach().clone();
        var term = learner.BatchPenalty(batch)!;
        head.detach().allclose(moved, rtol: 0, atol: 0).Should().BeTrue("the teacher's weights are swapped back out after its forward pass");
        (start, end) = batch.Forward();
        var penalty = term(start, end);
        var expected = DistillationLoss.Compute(start, end, teacherStart, teacherEnd, batch.AttentionMask, 2) * 0.5;
        penalty.ToDouble().Should().BeGreaterThan(0).And.BeApproximately(expected.ToDouble(), 1e-6);
        penalty.backward();
        head.grad.Should().NotBeNull("the distillation trains the current model");
    }

    [Fact]
    public void The_continual_bootstrap_pairs_stages_so_an_unchanged_task_has_a_zero_width_drop()
    {
        // One trained task (4 questions) and one retention task (4 questions). Retention: all right at the start, the
        // first two right at the end: drop 50 EM. The trained task is identical at both stages: its change is exactly 0.
        static List<AnswerPair> Answers(string prefix, params bool[] right) =>
            right.Select((r, i) => new AnswerPair($"{prefix}{i}", r ? "yes" : "no", ["yes"])).ToList();
        var trained = Answers("t", true, false, true, false);
        IReadOnlyList<IReadOnlyList<IReadOnlyList<AnswerPair>?>> stages =
        [
            [trained, Answers("r", true, true, true, true)],
            [trained, Answers("r", true, true, false, false)],
        ];
        var table = StageAnswerTable.Of(stages, trainedTasks: 1, new ExactMatchMetric())!;
        var intervals = ContinualBootstrap.Compute(table, [new AverageAccuracy(), new BackwardTransfer()], seed: 3, resamples: 500);

        var drop = intervals.RetentionDrop(0)!;
        drop.Mean.Should().Be(50);
        drop.Low.Should().BeGreaterThanOrEqualTo(0).And.BeLessThan(50);
        drop.High.Should().BeGreaterThan(50).And.BeLessThanOrEqualTo(100);
        intervals.Score(1, 0)!.Mean.Should().Be(50);
        intervals.Metric("acc")!.Mean.Should().Be(50);
        intervals.Metric("bwt").Should().BeNull("BWT of one task is undefined");

        var same = ContinualBootstrap.Compute(table, [new AverageAccuracy()], seed: 3, resamples: 500, reference: table);
        same.RetentionDrop(0).Should().Be(new ScoreInterval(0, 0, 0), "a study against itself differs by exactly 0 on every resample");
    }
}
