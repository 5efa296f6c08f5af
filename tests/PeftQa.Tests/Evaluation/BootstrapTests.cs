using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Evaluation;
using PeftQa.Plugins.Metrics;
using Xunit;

namespace PeftQa.Tests.Evaluation;

/// <summary>The percentile bootstrap against cases computed by hand, the normal approximation, and a fixed seed.</summary>
public sealed class BootstrapTests
{
    private static readonly IMetric ExactMatch = new ExactMatchMetric();

    /// <summary><paramref name="right"/> questions answered correctly out of <paramref name="count"/>, the right ones first.</summary>
    private static List<AnswerPair> Answers(int count, int right, string prefix = "q") =>
        Enumerable.Range(0, count).Select(i => new AnswerPair($"{prefix}{i}", i < right ? "Paris" : "Lyon", ["Paris"])).ToList();

    [Fact]
    public void Percentiles_interpolate_between_order_statistics_as_numpy_does()
    {
        double[] values = [5, 1, 4, 2, 3];
        Bootstrap.Percentile(values, 0.5).Should().Be(3);
        Bootstrap.Percentile(values, 0.025).Should().BeApproximately(1.1, 1e-12, "position 0.1 between 1 and 2");
        Bootstrap.Percentile(values, 0.975).Should().BeApproximately(4.9, 1e-12);
    }

    [Fact]
    public void All_right_or_all_wrong_has_no_spread_and_one_of_two_spans_everything()
    {
        Bootstrap.Interval([Answers(50, 50)], ExactMatch, seed: 1).Should().Be(new ScoreInterval(100, 100, 100));
        Bootstrap.Interval([Answers(50, 0)], ExactMatch, seed: 1).Should().Be(new ScoreInterval(0, 0, 0));
        // Two questions, one right: a resample scores 0, 50 or 100 with probabilities 1/4, 1/2, 1/4, so of 1,000
        // resamples some are 0 and some 100 (all but surely), and the 2.5% and 97.5% points are those.
        Bootstrap.Interval([Answers(2, 1)], ExactMatch, seed: 1).Should().Be(new ScoreInterval(50, 0, 100));
    }

    [Fact]
    public void The_interval_of_a_proportion_matches_the_normal_approximation()
    {
        // 400 questions, half right: the standard error is sqrt(0.5 * 0.5 / 400) = 2.5 points, so 95% is about +-4.9.
        var interval = Bootstrap.Interval([Answers(400, 200)], ExactMatch, seed: 7, resamples: 4000);

        interval.Mean.Should().Be(50);
        interval.Low.Should().BeInRange(44.4, 45.7);
        interval.High.Should().BeInRange(54.3, 55.6);
    }

    [Fact]
    public void The_same_seed_gives_the_same_interval_and_a_fixed_seed_pins_it()
    {
        var tasks = new IReadOnlyList<AnswerPair>[] { Answers(37, 21), Answers(23, 5, "r") };

        var first = Bootstrap.Interval(tasks, ExactMatch, seed: 42);
        var again = Bootstrap.Interval(tasks, ExactMatch, seed: 42);

        again.Should().Be(first);
        first.Mean.Should().BeApproximately((100.0 * 21 / 37 + 100.0 * 5 / 23) / 2, 1e-9, "the mean over tasks of each task's score");
        // Regression: System.Random(42)'s draws; a change here changes every report's intervals.
        first.Low.Should().BeApproximately(28.1434, 1e-4);
        first.High.Should().BeApproximately(51.1824, 1e-4);
    }

    [Fact]
    public void A_corpus_metric_is_recomputed_on_each_resample()
    {
        var answers = Enumerable.Range(0, 30).Select(i => new AnswerPair($"q{i}", i % 3 == 0 ? "the cat sat on the mat" : "a dog ran", ["the cat sat on the mat"])).ToList();
        var bleu = new BleuMetric();

        var interval = Bootstrap.Interval([answers], bleu, seed: 3, resamples: 1000);

        interval.Mean.Should().Be(bleu.Compute(answers));
        interval.Low.Should().BeLessThan(interval.Mean);
        interval.High.Should().BeGreaterThan(interval.Mean);
    }

    [Fact]
    public void Identical_studies_differ_by_exactly_nothing()
    {
        var difference = Bootstrap.Difference([Answers(100, 60)], [Answers(100, 60)], ExactMatch, seed: 1);

        difference.Should().Be(new ScoreDifference(0, 0, 0));
        difference.ExcludesZero.Should().BeFalse();
    }

    [Fact]
    public void A_study_right_on_twenty_more_of_a_hundred_questions_differs_by_twenty_and_the_interval_excludes_zero()
    {
        // Paired: the 20 extra questions are the only ones that differ, so each resample's difference counts how many
        // of them were drawn: binomial(100, 0.2) x 1 point, standard error 4 points, 95% about 12.2 to 28 (discrete).
        var better = Answers(100, 80);
        var reference = Answers(100, 60);
        reference.Reverse(); // answers are paired by question id, not by position

        var difference = Bootstrap.Difference([better], [reference], ExactMatch, seed: 5, resamples: 4000);

        difference.Mean.Should().Be(20);
        difference.Low.Should().BeInRange(11, 14);
        difference.High.Should().BeInRange(27, 29);
        difference.ExcludesZero.Should().BeTrue();
        Bootstrap.Difference([reference], [better], ExactMatch, seed: 5, resamples: 4000).Should().Be(new ScoreDifference(-20, -difference.High, -difference.Low),
            "the same draws with the sign turned");
    }

    [Fact]
    public void Studies_that_answered_different_questions_cannot_be_paired()
    {
        var act = () => Bootstrap.Difference([Answers(10, 5)], [Answers(10, 5, "other")], ExactMatch, seed: 1);

        act.Should().Throw<ArgumentException>().WithMessage("*different questions*");
    }
}
