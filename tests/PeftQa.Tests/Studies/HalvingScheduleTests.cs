using FluentAssertions;
using PeftQa.Host.Recipes;
using PeftQa.Host.Studies;
using Xunit;

namespace PeftQa.Tests.Studies;

/// <summary>Successive halving's rung arithmetic.</summary>
public sealed class HalvingScheduleTests
{
    [Fact]
    public void Each_rung_keeps_the_best_third_at_three_times_the_steps_and_the_last_one_trains_the_budget()
    {
        var schedule = new HalvingSchedule(Candidates: 8, Eta: 3, MinSteps: 10, BudgetSteps: 100);

        schedule.Rungs().Should().Equal(new HalvingSchedule.Rung(10, 8), new HalvingSchedule.Rung(30, 3), new HalvingSchedule.Rung(100, 1));
        schedule.TrainedSteps().Should().Be(8 * 10 + 3 * 20 + 1 * 70);
    }

    [Fact]
    public void Rungs_stop_at_the_budget_when_several_candidates_are_still_in()
    {
        var schedule = new HalvingSchedule(Candidates: 27, Eta: 3, MinSteps: 20, BudgetSteps: 100);

        schedule.Rungs().Should().Equal(new HalvingSchedule.Rung(20, 27), new HalvingSchedule.Rung(60, 9), new HalvingSchedule.Rung(100, 3));
        schedule.TrainedSteps().Should().Be(27 * 20 + 9 * 40 + 3 * 40);
    }

    [Theory]
    [InlineData(2, 3, 90, 30)]
    [InlineData(3, 3, 90, 30)]
    [InlineData(4, 3, 90, 10)]
    [InlineData(9, 3, 90, 10)]
    [InlineData(4, 2, 100, 25)]
    [InlineData(3, 3, 100, 34)]
    [InlineData(9, 3, 5, 1)]
    public void The_default_first_rung_is_the_budget_over_eta_to_the_halvings_that_leave_one(int candidates, int eta, int budget, int minSteps)
    {
        HalvingSchedule.DefaultMinSteps(candidates, eta, budget).Should().Be(minSteps);
        var schedule = HalvingSchedule.For(candidates, new SelectionSettings { Strategy = "halving", Eta = eta }, budget);
        schedule.Rungs()[^1].Should().Be(new HalvingSchedule.Rung(budget, 1), "the last rung trains one candidate to the budget");
    }

    [Theory]
    [InlineData(1, 3, 1)]
    [InlineData(2, 3, 1)]
    [InlineData(3, 3, 1)]
    [InlineData(4, 3, 2)]
    [InlineData(9, 3, 3)]
    [InlineData(10, 3, 4)]
    [InlineData(5, 2, 3)]
    public void Survivors_are_ceil_n_over_eta(int count, int eta, int survivors) =>
        HalvingSchedule.Survivors(count, eta).Should().Be(survivors);

    [Fact]
    public void Two_candidates_halve_once_against_the_grid()
    {
        var schedule = HalvingSchedule.For(2, new SelectionSettings { Strategy = "halving" }, 300);

        schedule.Rungs().Should().Equal(new HalvingSchedule.Rung(100, 2), new HalvingSchedule.Rung(300, 1));
        schedule.TrainedSteps().Should().Be(400, "against 600 for the grid");
    }
}
