using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using PeftQa.Host.Training;
using PeftQa.Plugins.FullFineTune;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.Training;

/// <summary>
/// The trainer with early stopping, on a scripted validation score by step: where it stops, which weights it keeps, and
/// that a run stopped between validation points resumes to the same stop and weights; a halving rung's pause and
/// continuation.
/// </summary>
[Collection(SerialCollection.Name)]
[Trait("Category", "Slow")]
public sealed class EarlyStoppingTrainerTests
{
    /// <summary>Validation F1 by step: best at step 4, then no rise; with every 2 and patience 2 the task stops at step 8 of 20.</summary>
    private static readonly Dictionary<int, double> ScriptedF1 = new() { [2] = 30, [4] = 50, [6] = 49, [8] = 50.3, [10] = 70 };

    private static readonly TrainingSettings Settings = new()
    {
        BatchSize = 8, MaxSteps = 20, LogEvery = 1, LearningRate = 1e-3, CheckpointEvery = 1,
        EarlyStopping = new EarlyStoppingSettings { Every = 2, Patience = 2, MinDelta = 0.5 },
    };

    private sealed class CancelAfter(int step, CancellationTokenSource cancel) : ITrainingObserver
    {
        public void Started(string title, int totalSteps, int resumedAtStep) { }
        public void Advanced(int done, double loss) { if (done == step) cancel.Cancel(); }
        public void Stepped(StepReport report) { }
        public void Finished() { }
    }

    private sealed class Quiet : ITrainingObserver
    {
        public void Started(string title, int totalSteps, int resumedAtStep) { }
        public void Advanced(int step, double loss) { }
        public void Stepped(StepReport report) { }
        public void Finished() { }
    }

    /// <summary>A fresh tiny model, its trainable weights recorded at every validation.</summary>
    private sealed class Scripted
    {
        public Scripted()
        {
            Model = TinyBert.Model(seed: 11, dropout: 0.1);
            Adapter = new FullFineTuneStrategy().Attach(Model, new FullFineTuneOptions());
        }

        public BertForQuestionAnswering Model { get; }
        public IAdapter Adapter { get; }
        public Dictionary<int, float[]> WeightsAt { get; } = [];
        public int Step { get; set; }

        public float[] Weights() => Adapter.TrainableParameters.SelectMany(p => p.Parameter.data<float>().ToArray()).ToArray();

        public TrainingSummary Train(string folder, bool resume = false, int? pauseAt = null, ITrainingObserver? observer = null,
            CancellationToken cancellation = default)
        {
            var metrics = new MetricsLog(Path.Combine(folder, "metrics.jsonl"));
            var job = new TrainingJob("study", "task", TinyFeatures.Windows(40), Adapter.TrainableParameters, Settings, 1e-3, 7,
                Path.Combine(folder, "checkpoints"), resume) { Validate = Validate(metrics), PauseAt = pauseAt };
            return new QaTrainer(NullLogger<QaTrainer>.Instance).Train(Model, job, 0, CPU, metrics, observer ?? new Quiet(), cancellation);
        }

        private Func<IReadOnlyDictionary<string, double>> Validate(MetricsLog metrics) => () =>
        {
            int step = File.ReadLines(metrics.Path).Select(l => JsonNode.Parse(l)!).Last(l => l["event"] is null)["step"]!.GetValue<int>();
            WeightsAt[step] = Weights();
            return new Dictionary<string, double> { ["f1"] = ScriptedF1[step], ["exact_match"] = ScriptedF1[step] / 2 };
        };
    }

    private static List<JsonNode> Lines(string folder, string kind) =>
        File.ReadAllLines(Path.Combine(folder, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!)
            .Where(l => l["event"]?.GetValue<string>() == kind).ToList();

    [Fact]
    public void Stops_when_patience_runs_out_and_goes_on_with_the_best_steps_weights()
    {
        using var folder = new TemporaryFolder();
        var run = new Scripted();

        var summary = run.Train(folder.Path);

        summary.Steps.Should().Be(8, "no rise of more than 0.5 over 50 at steps 6 and 8");
        summary.BudgetSteps.Should().Be(20);
        summary.EarlyStopping!.Reason.Should().Be("patience");
        summary.EarlyStopping.BestStep.Should().Be(8, "50.3 is the highest score, though it does not count as an improvement");
        summary.EarlyStopping.Validation.Select(p => p.Step).Should().Equal(2, 4, 6, 8);
        Lines(folder.Path, "validation").Select(l => l["step"]!.GetValue<int>()).Should().Equal(2, 4, 6, 8);
        Lines(folder.Path, "early_stop").Should().ContainSingle().Which["best_step"]!.GetValue<int>().Should().Be(8);
        run.Weights().Should().Equal(run.WeightsAt[8]);
    }

    [Fact]
    public void Keep_best_loads_the_weights_of_an_earlier_best_step()
    {
        using var folder = new TemporaryFolder();
        ScriptedF1[8] = 49.5;
        try
        {
            var run = new Scripted();

            var summary = run.Train(folder.Path);

            summary.Steps.Should().Be(8);
            summary.EarlyStopping!.BestStep.Should().Be(4);
            summary.EarlyStopping.KeptBest.Should().BeTrue();
            run.Weights().Should().Equal(run.WeightsAt[4], "keepBest goes on from step 4's weights, not step 8's");
            run.Weights().Should().NotEqual(run.WeightsAt[8]);
        }
        finally { ScriptedF1[8] = 50.3; }
    }

    [Fact]
    public void A_run_stopped_between_validation_points_resumes_to_the_same_stop_and_weights()
    {
        using var uninterruptedFolder = new TemporaryFolder();
        using var folder = new TemporaryFolder();
        var uninterrupted = new Scripted();
        var expected = uninterrupted.Train(uninterruptedFolder.Path);

        using var cancel = new CancellationTokenSource();
        var killed = new Scripted();
        killed.Invoking(k => k.Train(folder.Path, observer: new CancelAfter(5, cancel), cancellation: cancel.Token))
            .Should().Throw<OperationCanceledException>();
        var resumed = new Scripted();
        var summary = resumed.Train(folder.Path, resume: true);

        summary.ResumedAtStep.Should().Be(5, "stopped after step 5, between the validations at 4 and 6");
        summary.Steps.Should().Be(expected.Steps);
        summary.EarlyStopping!.Validation.Should().Equal(expected.EarlyStopping!.Validation);
        summary.EarlyStopping.BestStep.Should().Be(expected.EarlyStopping.BestStep);
        resumed.Weights().Should().Equal(uninterrupted.Weights());
        Lines(folder.Path, "validation").Select(l => l["step"]!.GetValue<int>()).Should().Equal(2, 4, 6, 8);
    }

    [Fact]
    public void A_rung_pauses_with_a_checkpoint_and_the_continuation_trains_as_one_uninterrupted_run()
    {
        using var uninterruptedFolder = new TemporaryFolder();
        using var folder = new TemporaryFolder();
        var uninterrupted = new Scripted();
        uninterrupted.Train(uninterruptedFolder.Path);

        var rung = new Scripted();
        var paused = rung.Train(folder.Path, pauseAt: 3);
        var checkpoints = Directory.GetDirectories(Path.Combine(folder.Path, "checkpoints"), "checkpoint-*").Select(Path.GetFileName).ToList();
        var continued = new Scripted();
        var finished = continued.Train(folder.Path, resume: true);

        paused.Paused.Should().BeTrue();
        paused.Steps.Should().Be(3);
        paused.EarlyStopping.Should().BeNull("a paused task has not ended");
        checkpoints.Should().Contain("checkpoint-0000003");
        finished.Paused.Should().BeFalse();
        finished.ResumedAtStep.Should().Be(3);
        finished.Steps.Should().Be(8, "early stopping stops the continuation where it stops the uninterrupted run");
        continued.Weights().Should().Equal(uninterrupted.Weights(), "going on from the rung's checkpoint is the uninterrupted run");
    }
}
