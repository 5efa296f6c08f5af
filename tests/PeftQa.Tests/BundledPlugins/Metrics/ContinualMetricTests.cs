using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Plugins.Metrics;
using Xunit;

namespace PeftQa.Tests.BundledPlugins.Metrics;

/// <summary>ACC, BWT, FWT and forgetting against values worked out by hand on a 3-task matrix.</summary>
public sealed class ContinualMetricTests
{
    // b = [10, 20, 5]; rows: after task 1, after task 2, after task 3.
    // Task 1 rises after task 2 (60 -> 70) and then falls to 40: BWT sees -20 for it, forgetting sees 70 - 40 = 30.
    private static readonly AccuracyMatrix Matrix = new([10, 20, 5], [[60, 30, 15], [70, 70, 25], [40, 65, 80]]);

    [Fact]
    public void Acc_is_the_mean_of_the_last_row() =>
        new AverageAccuracy().Compute(Matrix).Value.Should().BeApproximately((40 + 65 + 80) / 3.0, 1e-12);

    [Fact]
    public void Bwt_compares_the_last_row_with_the_diagonal()
    {
        var bwt = new BackwardTransfer().Compute(Matrix);
        bwt.Value.Should().BeApproximately(((40 - 60) + (65 - 70)) / 2.0, 1e-12); // -12.5
        bwt.PerTask.Should().Equal(-20.0, -5.0, null);
    }

    [Fact]
    public void Fwt_compares_the_score_just_before_training_with_the_baseline()
    {
        var fwt = new ForwardTransfer().Compute(Matrix);
        fwt.Value.Should().BeApproximately(((30 - 20) + (25 - 5)) / 2.0, 1e-12); // 15
        fwt.PerTask.Should().Equal(null, 10.0, 20.0);
    }

    [Fact]
    public void Forgetting_is_the_best_earlier_score_minus_the_last_one_chaudhry()
    {
        var forgetting = new AverageForgetting().Compute(Matrix);
        forgetting.PerTask.Should().Equal(30.0, 5.0, null); // max(60, 70) - 40; max(30, 70) - 65
        forgetting.Value.Should().BeApproximately(17.5, 1e-12);
        new AverageForgetting().Definition.Should().Contain("Chaudhry");
    }

    [Fact]
    public void With_one_task_only_acc_is_defined()
    {
        var single = new AccuracyMatrix([3], [[50]]);
        new AverageAccuracy().Compute(single).Value.Should().Be(50);
        new BackwardTransfer().Compute(single).Value.Should().BeNull();
        new ForwardTransfer().Compute(single).Value.Should().BeNull();
        new AverageForgetting().Compute(single).Value.Should().BeNull();
    }

    [Fact]
    public void A_matrix_that_is_not_square_is_refused()
    {
        var act = () => new AccuracyMatrix([1, 2], [[1, 2]]);
        act.Should().Throw<ArgumentException>().WithMessage("*2 rows of 2*");
    }
}
