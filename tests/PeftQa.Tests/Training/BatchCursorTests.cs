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
        var first = ShuffledOrder.For(10, 9, 0);
        var second = ShuffledOrder.For(10, 9, 1);

        cursor.NextStep().Should().BeEquivalentTo(new[] { first[0..3], first[3..6] }, o => o.WithStrictOrdering());
        cursor.NextStep().Should().BeEquivalentTo(new[] { first[6..9], first[9..10] }, o => o.WithStrictOrdering());
        (cursor.Epoch, cursor.BatchInEpoch).Should().Be((1, 0));
        cursor.NextStep().Should().BeEquivalentTo(new[] { second[0..3], second[3..6] }, o => o.WithStrictOrdering());

        BatchCursor.SeenWindows(Enumerable.Repeat(64, 10).ToArray(), settings with { GroupByLength = false }, seed: 9).Should().Equal([.. first, .. second[0..6]], "what training used, in order");
        new BatchCursor(10, settings with { MaxSteps = null, Epochs = 1.5 }, 9).TotalSteps.Should().Be(3);
    }

    [Fact]
    public void Grouped_by_length_every_window_comes_once_per_epoch_in_batches_of_similar_length_in_shuffled_order()
    {
        var random = new Random(4);
        var lengths = Enumerable.Range(0, 1000).Select(_ => random.Next(40, 385)).ToArray();
        var settings = new TrainingSettings { BatchSize = 16, MaxSteps = 1000 };
        var cursor = new BatchCursor(lengths, settings, seed: 7);

        var epoch = Enumerable.Range(0, cursor.MicroBatchesPerEpoch).Select(_ => cursor.NextStep().Single()).ToList();

        epoch.SelectMany(b => b).Order().Should().Equal(Enumerable.Range(0, 1000), "each window once per epoch");
        epoch.Take(epoch.Count - 1).Should().OnlyContain(b => b.Length == 16, "only the last batch may be short");
        double Padding(IEnumerable<int[]> batches) => batches.Sum(b => b.Max(w => lengths[w]) * b.Length - b.Sum(w => lengths[w]));
        var plain = ShuffledOrder.For(1000, 7, 0).Chunk(16).ToList();
        Padding(epoch).Should().BeLessThan(Padding(plain) / 10, "windows of similar length share a batch");
        epoch.Select(b => lengths[b[0]]).Should().NotBeInDescendingOrder("the batches themselves are shuffled");
        new BatchCursor(lengths, settings, seed: 7).NextStep().Single().Should().Equal(epoch[0], "the walk is a function of the seed");
        new BatchCursor(lengths, settings with { GroupByLength = false }, seed: 7).NextStep().Single().Should().Equal(plain[0], "groupByLength false: plain shuffled batches");
        BatchCursor.SeenWindows(lengths, settings with { MaxSteps = 3 }, 7).Should().Equal(epoch.Take(3).SelectMany(b => b), "continual strategies see the grouped walk");
    }

    [Fact]
    public void A_grouped_cursor_resumed_at_a_position_continues_the_same_walk_across_epochs()
    {
        var lengths = Enumerable.Range(0, 37).Select(i => 20 + i * 7 % 300).ToArray();
        var settings = new TrainingSettings { BatchSize = 4, GradientAccumulation = 2, MaxSteps = 50 };
        var straight = new BatchCursor(lengths, settings, seed: 3);
        for (int i = 0; i < 7; i++) straight.NextStep();
        var resumed = new BatchCursor(lengths, settings, seed: 3, straight.Epoch, straight.BatchInEpoch);
        for (int i = 0; i < 12; i++) resumed.NextStep().Should().BeEquivalentTo(straight.NextStep(), o => o.WithStrictOrdering());
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
