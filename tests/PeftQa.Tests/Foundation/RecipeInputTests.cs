using FluentAssertions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Recipes;
using Xunit;

namespace PeftQa.Tests.Foundation;

/// <summary>Recipes a hostile user might write: each is refused before any work with one line naming the JSON path.</summary>
public sealed class RecipeInputTests
{
    private const string Tasks = """ "tasks": [{ "name": "t", "train": "a.json", "eval": "b.json" }] """;

    private static IReadOnlyList<string> ProblemsOf(string json)
    {
        var act = () => RecipeLoader.Parse(json, "recipes/x.json");
        return act.Should().Throw<BadInputException>().Which.Problems;
    }

    [Theory]
    [InlineData("BF16")]
    [InlineData("Auto")]
    [InlineData("FP32")]
    public void A_precision_in_another_case_is_refused_with_the_allowed_values(string precision)
    {
        ProblemsOf($$"""{ "name": "r", {{Tasks}}, "training": { "precision": "{{precision}}" } }""").Should().Equal(
            $"recipes/x.json: $.training.precision: expected one of \"auto\", \"fp32\", \"bf16\", got the string \"{precision}\"");
    }

    [Fact]
    public void Every_precision_as_written_in_the_docs_is_accepted()
    {
        foreach (var (text, value) in new[] { ("auto", Precision.Auto), ("fp32", Precision.Fp32), ("bf16", Precision.Bf16) })
            RecipeLoader.Parse($$"""{ "name": "r", {{Tasks}}, "training": { "precision": "{{text}}" } }""", "x.json")
                .Recipe.Training.Precision.Should().Be(value);
    }

    [Fact]
    public void A_metric_named_twice_is_refused_naming_the_field_and_the_name()
    {
        ProblemsOf($$"""{ "name": "r", {{Tasks}}, "evaluation": { "metrics": ["exact_match", "f1", "F1"], "continualMetrics": ["acc", "bwt", "acc"] } }""")
            .Should().Equal(
                "recipes/x.json: $.evaluation.metrics[2]: duplicate metric 'F1' (also at $.evaluation.metrics[1])",
                "recipes/x.json: $.evaluation.continualMetrics[2]: duplicate continual metric 'acc' (also at $.evaluation.continualMetrics[0])");
    }
}
