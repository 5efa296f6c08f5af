using FluentAssertions;
using PeftQa.Host.Evaluation;
using Xunit;

namespace PeftQa.Tests.Evaluation;

public sealed class MetricScoresTests
{
    private static readonly Dictionary<string, double> Scores = new() { ["exact_match"] = 40, ["f1"] = 55.5 };

    [Fact]
    public void A_metric_is_found_as_the_recipe_names_it_ignoring_case_as_plugins_are()
    {
        MetricScores.Of(Scores, "f1").Should().Be(55.5);
        MetricScores.Of(Scores, "F1").Should().Be(55.5);
        MetricScores.Of(Scores, "Exact_Match").Should().Be(40);
    }

    [Fact]
    public void A_metric_without_a_score_names_the_scores_there_are() =>
        FluentActions.Invoking(() => MetricScores.Of(Scores, "bleu")).Should().Throw<KeyNotFoundException>()
            .WithMessage("no score of metric 'bleu' (scores: exact_match, f1)");
}
