using FluentAssertions;
using PeftQa.Host.Data;
using PeftQa.Host.Planning;
using PeftQa.Host.Recipes;
using Xunit;

namespace PeftQa.Tests.Planning;

/// <summary>Selection's validation set: whole paragraphs of the training data, seeded, never a training or evaluation question.</summary>
public sealed class SelectionSplitTests
{
    /// <summary><paramref name="paragraphs"/> paragraphs of three questions each, over <paramref name="articles"/> articles.</summary>
    public static QaDataSet Data(int paragraphs, int articles = 5, string prefix = "t") => new(
        Enumerable.Range(0, paragraphs).SelectMany(p => Enumerable.Range(0, 3).Select(q =>
            new QaExample($"{prefix}{p}-{q}", $"article {p % articles}", $"Paragraph {p} of {prefix}.", $"What does {p} say?", [new QaAnswer($"{q}", 0)], false))).ToList(),
        new QaDataSummary("test", "1.1", articles, paragraphs, 3 * paragraphs, 3 * paragraphs, 0, 0, []));

    [Fact]
    public void Validation_takes_whole_paragraphs_of_the_training_data_seeded()
    {
        var train = Data(40);
        var (rest, validation) = TaskDataLoader.HoldOutValidation(train, 0.25, null, seed: 3);
        var again = TaskDataLoader.HoldOutValidation(train, 0.25, null, seed: 3);
        var other = TaskDataLoader.HoldOutValidation(train, 0.25, null, seed: 4);

        validation.Examples.Select(e => e.Context).Distinct().Should().HaveCount(10, "a quarter of the 40 paragraphs");
        validation.Examples.Should().HaveCount(30, "every question of a held-out paragraph goes with it");
        rest.Examples.Select(e => e.Context).Intersect(validation.Examples.Select(e => e.Context)).Should().BeEmpty();
        rest.Examples.Select(e => e.Id).Concat(validation.Examples.Select(e => e.Id)).Should().BeEquivalentTo(train.Examples.Select(e => e.Id));
        again.Validation.Examples.Select(e => e.Id).Should().Equal(validation.Examples.Select(e => e.Id), "the same seed holds out the same paragraphs");
        other.Validation.Examples.Select(e => e.Id).Should().NotEqual(validation.Examples.Select(e => e.Id));
    }

    [Fact]
    public void Max_questions_samples_the_held_out_questions_and_never_returns_them_to_training()
    {
        var train = Data(40);

        var (rest, validation) = TaskDataLoader.HoldOutValidation(train, 0.5, 7, seed: 1);

        validation.Examples.Should().HaveCount(7);
        rest.Examples.Should().HaveCount(60, "the other 20 paragraphs train; the unsampled held-out questions are not put back");
        rest.Examples.Select(e => e.Context).Intersect(validation.Examples.Select(e => e.Context)).Should().BeEmpty();
    }

    [Fact]
    public void With_a_task_split_validation_comes_from_the_training_part_only()
    {
        var file = Data(60);
        var (train, eval) = TaskDataLoader.HoldOut(file, new HoldOutSplit { EvalFraction = 0.2 }, seed: 9);

        var (rest, validation) = TaskDataLoader.HoldOutValidation(train, 0.1, null, seed: 9);

        var evaluated = eval.Examples.Select(e => e.Id).ToHashSet();
        validation.Examples.Should().NotBeEmpty().And.OnlyContain(e => !evaluated.Contains(e.Id));
        validation.Examples.Select(e => e.Context).Intersect(eval.Examples.Select(e => e.Context)).Should().BeEmpty();
        rest.Examples.Select(e => e.Context).Intersect(validation.Examples.Select(e => e.Context)).Should().BeEmpty();
    }
}
