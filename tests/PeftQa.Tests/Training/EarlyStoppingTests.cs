using System.Text.Json;
using FluentAssertions;
using PeftQa.Host.Recipes;
using PeftQa.Host.Training;
using Xunit;

namespace PeftQa.Tests.Training;

/// <summary>Early stopping's decisions on scripted validation scores, as Hugging Face's EarlyStoppingCallback makes them.</summary>
public sealed class EarlyStoppingTests
{
    private static readonly EarlyStoppingSettings Settings = new() { Patience = 3, MinDelta = 0.5, Every = 100 };

    /// <summary>Feeds the scores at steps 100, 200, ... until a stop; the steps scored and the decisions.</summary>
    private static (EarlyStopping Stopping, List<EarlyStopping.Decision> Decisions) Feed(EarlyStoppingSettings settings, params double[] scores)
    {
        var stopping = new EarlyStopping(settings);
        var decisions = new List<EarlyStopping.Decision>();
        for (int i = 0; i < scores.Length && !stopping.Stopped; i++) decisions.Add(stopping.Observe((i + 1) * settings.Every, scores[i]));
        return (stopping, decisions);
    }

    [Fact]
    public void Stops_after_patience_scorings_without_a_rise_of_more_than_min_delta()
    {
        var (stopping, decisions) = Feed(Settings, 40, 50, 55, 55.4, 54, 55.5, 70);

        decisions.Select(d => d.Stop).Should().Equal(false, false, false, false, false, true);
        stopping.State.Points.Select(p => p.Step).Should().Equal([100, 200, 300, 400, 500, 600], "the 7th score is never asked for");
        stopping.State.BestStep.Should().Be(600, "55.5 is the highest score, though its lead over 55.4 is below minDelta");
        stopping.State.BestScore.Should().Be(55.5);
        decisions.Select(d => d.IsBest).Should().Equal(true, true, true, true, false, true);
    }

    [Fact]
    public void A_rise_of_more_than_min_delta_resets_the_count()
    {
        var (stopping, decisions) = Feed(Settings, 40, 40, 40, 41, 41, 41.2, 41.5);

        decisions.Select(d => d.Stop).Should().Equal(false, false, false, false, false, false, true);
        stopping.State.BestStep.Should().Be(700);
        stopping.State.PointsWithoutImprovement.Should().Be(3);
    }

    [Fact]
    public void Equal_scores_keep_the_first_as_best()
    {
        var (stopping, _) = Feed(Settings with { Patience = 2 }, 60, 60, 60);

        stopping.Stopped.Should().BeTrue();
        stopping.State.BestStep.Should().Be(100);
    }

    [Fact]
    public void Min_delta_zero_counts_any_rise()
    {
        var (stopping, decisions) = Feed(Settings with { MinDelta = 0, Patience = 1 }, 10, 10.01, 10.02, 10.02);

        decisions.Select(d => d.Stop).Should().Equal(false, false, false, true);
        stopping.State.BestStep.Should().Be(300);
    }

    [Fact]
    public void A_saved_state_decides_as_the_uninterrupted_one()
    {
        double[] scores = [30, 45, 44.8, 45.2, 44, 43];
        var uninterrupted = Feed(Settings, scores).Stopping;

        var first = new EarlyStopping(Settings);
        for (int i = 0; i < 3; i++) first.Observe((i + 1) * 100, scores[i]);
        var saved = JsonSerializer.Deserialize<EarlyStoppingState>(JsonSerializer.Serialize(first.State))!;
        var resumed = new EarlyStopping(Settings, saved);
        for (int i = 3; i < scores.Length && !resumed.Stopped; i++) resumed.Observe((i + 1) * 100, scores[i]);

        resumed.State.Points.Should().Equal(uninterrupted.State.Points);
        resumed.State.BestStep.Should().Be(uninterrupted.State.BestStep).And.Be(400, "45.2 beats 45 (by less than minDelta)");
        resumed.State.Points.Should().HaveCount(5, "patience ran out at step 500");
        resumed.Stopped.Should().Be(uninterrupted.Stopped).And.BeTrue();
    }

    [Fact]
    public void Scores_every_n_steps_and_at_the_last_step_until_stopped()
    {
        var stopping = new EarlyStopping(Settings with { Patience = 1 });

        Enumerable.Range(1, 1050).Where(step => stopping.IsDue(step, lastStep: 1050)).Should().Equal(Enumerable.Range(1, 10).Select(k => k * 100).Append(1050));
        stopping.Observe(100, 10);
        stopping.Observe(200, 10);
        stopping.IsDue(300, 1050).Should().BeFalse("a stopped task scores nothing more");
        stopping.Invoking(s => s.Observe(300, 11)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void The_windows_an_early_stopped_task_used_are_the_first_steps_of_its_budget()
    {
        var lengths = Enumerable.Range(0, 50).Select(i => 20 + i % 7).ToArray();
        var settings = new TrainingSettings { BatchSize = 4, MaxSteps = 30 };

        var whole = BatchCursor.SeenWindows(lengths, settings, seed: 5);
        var stopped = BatchCursor.SeenWindows(lengths, settings, seed: 5, steps: 8);

        stopped.Should().Equal(whole.Take(32), "8 steps of 4 windows, in the order the trainer fed them");
    }
}
