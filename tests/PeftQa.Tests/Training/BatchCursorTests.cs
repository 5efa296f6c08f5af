using FluentAssertions;
using PeftQa.Host.Recipes;
using PeftQa.Host.Training;
using Xunit;

namespace PeftQa.Tests.Training;

/// <summary>The one walk through the data that training takes and that continual strategies are told about.</summary>
public sealed class BatchCursorTests
{
    [Fact]
    public void Steps_take_accumulated_micro_batches_and_never_cross_an_epoch()
    {
        // 10 windows in micro-batches of 3: 4 per epoch (3, 3, 3, 1); 2 per step, so 2 steps per epoch.
        var settings = new TrainingSettings { BatchSize = 3, GradientAccumulation = 2, MaxSteps = 3 };
        var cursor = new BatchCursor(10, settings, seed: 9);
        var first = QaTrainer.EpochOrder(10, 9, 0);
        var second = QaTrainer.EpochOrder(10, 9, 1);

        cursor.NextStep().Should().BeEquivalentTo(new[] { first[0..3], first[3..6] }, o => o.WithStrictOrdering());
        cursor.NextStep().Should().BeEquivalentTo(new[] { first[6..9], first[9..10] }, o => o.WithStrictOrdering());
        (cursor.Epoch, cursor.BatchInEpoch).Should().Be((1, 0));
        cursor.NextStep().Should().BeEquivalentTo(new[] { second[0..3], second[3..6] }, o => o.WithStrictOrdering());

        QaTrainer.SeenWindows(10, settings, seed: 9).Should().Equal([.. first, .. second[0..6]], "what training used, in order");
        new BatchCursor(10, settings with { MaxSteps = null, Epochs = 1.5 }, 9).TotalSteps.Should().Be(3);
    }

    [Fact]
    public void A_cursor_resumed_at_a_position_continues_the_same_walk()
    {
        var settings = new TrainingSettings { BatchSize = 4, MaxSteps = 10 };
        var straight = new BatchCursor(11, settings, seed: 2);
        for (int i = 0; i < 4; i++) straight.NextStep();
        var resumed = new BatchCursor(11, settings, seed: 2, straight.Epoch, straight.BatchInEpoch);
        for (int i = 0; i < 5; i++) resumed.NextStep().Should().BeEquivalentTo(straight.NextStep(), o => o.WithStrictOrdering());
    }
}
