using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Plugins.FullFineTune;
using PeftQa.Plugins.Metrics;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.BundledPlugins;

public sealed class BundledPluginTests
{
    [Theory]
    [InlineData("The Eiffel Tower!", "eiffel tower")]
    [InlineData("  an   apple, a pear ", "apple pear")]
    [InlineData("Theatre and THE end", "theatre and end")]
    [InlineData("rock'n'roll", "rocknroll")]
    [InlineData("a_b the_c", "ab thec")]
    [InlineData("l'the end", "lthe end")]
    [InlineData("é the ñ", "é ñ")]
    public void Squad_normalization_follows_the_official_rules(string text, string expected)
    {
        SquadNormalization.Normalize(text).Should().Be(expected);
    }

    [Fact]
    public void Exact_match_and_f1_take_the_best_gold_answer_and_average_over_questions()
    {
        AnswerPair[] answers =
        [
            new("q1", "the Eiffel Tower", ["Eiffel Tower", "tower"]),
            new("q2", "in Paris France", ["Paris"]),
            new("q3", "nothing", ["something else"]),
        ];

        new ExactMatchMetric().Compute(answers).Should().BeApproximately(100.0 / 3, 1e-12);
        // q1: 1.0; q2: P = 1/3, R = 1, F1 = 0.5; q3: 0.
        new F1Metric().Compute(answers).Should().BeApproximately(100.0 * 1.5 / 3, 1e-12);
    }

    [Fact]
    public void Full_fine_tuning_trains_everything_by_default()
    {
        var model = new TinyAdaptableModel();
        using var adapter = new FullFineTuneStrategy().Attach(model, new FullFineTuneOptions());

        adapter.TrainableParameters.Should().HaveCount(model.NamedParameters.Count);
    }

    [Fact]
    public void Full_fine_tuning_can_freeze_embeddings_and_lowest_layers()
    {
        var model = new TinyAdaptableModel(layers: 2);
        using var adapter = new FullFineTuneStrategy().Attach(model, new FullFineTuneOptions { FreezeEmbeddings = true, FreezeLowestLayers = 1 });

        adapter.TrainableParameters.Select(p => p.Name).Should().BeEquivalentTo(
            "bert.encoder.layer.1.attention.self.query.weight", "bert.encoder.layer.1.attention.self.query.bias",
            "qa_outputs.weight", "qa_outputs.bias");
        model.NamedParameters.Where(p => p.Name.StartsWith("bert.embeddings")).Should().OnlyContain(p => !p.Parameter.requires_grad);
    }

    [Fact]
    public void Full_fine_tuning_rejects_freezing_more_layers_than_exist()
    {
        new FullFineTuneStrategy().Validate(new FullFineTuneOptions { FreezeLowestLayers = 7 }, new TinyAdaptableModel().Description)
            .Should().ContainSingle().Which.Should().StartWith("freezeLowestLayers: expected 0..2");
    }
}
