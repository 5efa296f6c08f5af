using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using PeftQa.Host.Training;
using PeftQa.Plugins.FullFineTune;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.Training;

[Collection(SerialCollection.Name)]
public sealed class TrainerTests
{
    /// <summary>Records step reports; optionally cancels the run after a given step, as Ctrl+C or a kill would stop it.</summary>
    private sealed class RecordingObserver(int cancelAfterStep = -1, CancellationTokenSource? cancel = null) : ITrainingObserver
    {
        public List<StepReport> Reports { get; } = [];
        public void Started(string title, int totalSteps, int resumedAtStep) { }
        public void Advanced(int step, double loss) { }
        public void Stepped(StepReport report)
        {
            Reports.Add(report);
            if (report.Step == cancelAfterStep) cancel?.Cancel();
        }
        public void Finished() { }
    }

    private static List<QaFeature> Features(int count) => TinyFeatures.Windows(count);

    private static (BertForQuestionAnswering Model, IAdapter Adapter) NewModel(double dropout = 0.1)
    {
        var model = TinyBert.Model(seed: 11, dropout: dropout);
        var adapter = new FullFineTuneStrategy().Attach(model, new FullFineTuneOptions());
        return (model, adapter);
    }

    private static float[] Weights(IAdapter adapter) => adapter.TrainableParameters.SelectMany(p => p.Parameter.data<float>().ToArray()).ToArray();

    private static TrainingSummary Train(BertForQuestionAnswering model, IAdapter adapter, TrainingSettings settings, string checkpoints,
        bool resume = false, CancellationToken cancellation = default, ITrainingObserver? observer = null) =>
        new QaTrainer(NullLogger<QaTrainer>.Instance).Train(model,
            new TrainingJob("study", "task", Features(40), adapter.TrainableParameters, settings,
                settings.LearningRate ?? TrainingSettings.FallbackLearningRate, 7, checkpoints, resume),
            0, CPU, new MetricsLog(Path.Combine(checkpoints, "..", "metrics.jsonl")), observer ?? new RecordingObserver(), cancellation);

    [Fact]
    [Trait("Category", "Slow")]
    public void A_task_resumed_before_its_first_checkpoint_starts_again_and_drops_what_the_killed_attempt_logged()
    {
        using var folder = new TemporaryFolder();
        var checkpoints = folder.Combine("checkpoints");
        var metricsPath = folder.Combine("metrics.jsonl");
        var (model, adapter) = NewModel();
        var settings = new TrainingSettings { BatchSize = 8, MaxSteps = 4, LogEvery = 2, LearningRate = 1e-3 };
        Train(model, adapter, settings, checkpoints);
        var uninterrupted = File.ReadAllLines(metricsPath).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["step"]!.GetValue<int>()).ToList();
        // A killed attempt: its lines are on disk, its checkpoints are not.
        Directory.Delete(checkpoints, recursive: true);

        var (again, againAdapter) = NewModel();
        Train(again, againAdapter, settings, checkpoints, resume: true);

        File.ReadAllLines(metricsPath).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["step"]!.GetValue<int>()).Should().Equal(uninterrupted,
            "the steps are logged once, by the attempt that finished");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_task_resumed_at_its_last_checkpoint_reports_what_that_checkpoint_trained()
    {
        using var folder = new TemporaryFolder();
        var checkpoints = folder.Combine("checkpoints");
        var (model, adapter) = NewModel();
        var settings = new TrainingSettings { BatchSize = 8, MaxSteps = 4, LogEvery = 2, LearningRate = 1e-3 };
        var finished = Train(model, adapter, settings, checkpoints);

        // Killed after the last checkpoint, before the study recorded the task: the resume has nothing left to train.
        var (again, againAdapter) = NewModel();
        var resumed = Train(again, againAdapter, settings, checkpoints, resume: true);

        resumed.Steps.Should().Be(4);
        resumed.Examples.Should().Be(finished.Examples).And.BeGreaterThan(0, "the task trained 4 batches, not 0 examples");
        resumed.Seconds.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(finished.Seconds);
        resumed.FinalLoss.Should().Be(finished.FinalLoss);
    }

    [Fact]
    public void Learning_rate_warms_up_then_decays_linearly_to_zero()
    {
        var schedule = new LearningRateSchedule(1e-3, WarmupSteps: 10, TotalSteps: 110);

        schedule.At(0).Should().Be(0);
        schedule.At(5).Should().BeApproximately(5e-4, 1e-15);
        schedule.At(10).Should().BeApproximately(1e-3, 1e-15);
        schedule.At(60).Should().BeApproximately(5e-4, 1e-15);
        schedule.At(110).Should().Be(0);
    }

    [Fact]
    public void Data_order_is_a_seeded_permutation_per_epoch()
    {
        ShuffledOrder.For(50, 1, 0).Should().Equal(ShuffledOrder.For(50, 1, 0));
        ShuffledOrder.For(50, 1, 0).Should().NotEqual(ShuffledOrder.For(50, 1, 1));
        ShuffledOrder.For(50, 1, 0).Order().Should().Equal(Enumerable.Range(0, 50));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void The_same_seed_gives_the_same_weights_and_the_loss_falls()
    {
        using var folder = new TemporaryFolder();
        var settings = new TrainingSettings { LearningRate = 1e-3, BatchSize = 8, GradientAccumulation = 2, Epochs = 3, LogEvery = 1 };
        var (first, firstAdapter) = NewModel();
        var observer = new RecordingObserver();
        var summary = Train(first, firstAdapter, settings, folder.Combine("a"), observer: observer);
        var (second, secondAdapter) = NewModel();
        Train(second, secondAdapter, settings, folder.Combine("b"));

        summary.Steps.Should().Be(9, "40 windows / (8 x 2) = 3 steps per epoch, 3 epochs");
        Weights(secondAdapter).Should().Equal(Weights(firstAdapter));
        observer.Reports.Last().Loss.Should().BeLessThan(observer.Reports.First().Loss);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_cancelled_run_resumed_from_its_checkpoint_ends_with_identical_weights()
    {
        using var folder = new TemporaryFolder();
        var settings = new TrainingSettings { LearningRate = 1e-3, BatchSize = 4, Epochs = 2, CheckpointEvery = 3, KeepCheckpoints = 2 };
        var (reference, referenceAdapter) = NewModel();
        Train(reference, referenceAdapter, settings, folder.Combine("reference"));

        var (interrupted, interruptedAdapter) = NewModel();
        using var cancel = new CancellationTokenSource();
        var observer = new RecordingObserver(cancelAfterStep: 7, cancel);
        var act = () => Train(interrupted, interruptedAdapter, settings with { LogEvery = 1 }, folder.Combine("resumed"), cancellation: cancel.Token, observer: observer);
        act.Should().Throw<OperationCanceledException>();
        Directory.GetDirectories(folder.Combine("resumed")).Select(Path.GetFileName).Order()
            .Should().Equal(["checkpoint-0000006", "checkpoint-0000007"], "the stop saved step 7, between two steps; two are kept");

        var (resumed, resumedAdapter) = NewModel();
        var summary = Train(resumed, resumedAdapter, settings, folder.Combine("resumed"), resume: true);

        summary.ResumedAtStep.Should().Be(7);
        Weights(resumedAdapter).Should().Equal(Weights(referenceAdapter));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_diverging_loss_stops_the_run_and_keeps_the_last_good_checkpoint()
    {
        using var folder = new TemporaryFolder();
        var (model, adapter) = NewModel();
        var settings = new TrainingSettings { LearningRate = 1e30, BatchSize = 4, MaxSteps = 8, CheckpointEvery = 1, MaxGradNorm = 0 };

        var act = () => Train(model, adapter, settings, folder.Combine("ckpt"));

        var error = act.Should().Throw<TrainingDivergedException>().Which;
        error.Message.Should().Contain("the loss became").And.Contain("last good checkpoint is").And.Contain("checkpoint-0000001").And.Contain("Lower the learning rate");
        Directory.GetDirectories(folder.Combine("ckpt")).Should().NotBeEmpty().And.OnlyContain(d => Path.GetFileName(d).StartsWith("checkpoint-"));
    }
}
