using System.Text.Json;
using FluentAssertions;
using PeftQa.Host.Planning;
using PeftQa.Host.Recipes;
using Xunit;

namespace PeftQa.Tests.Planning;

/// <summary>A list in place of a learning rate or an option's value expands into one configuration per combination.</summary>
public sealed class SearchSpaceTests
{
    private sealed class Options
    {
        public int R { get; set; } = 8;
        public double Alpha { get; set; } = 8;
        public List<string> TargetModules { get; set; } = ["query", "value"];
    }

    private static AdapterSpec Adapter(string json) =>
        JsonSerializer.Deserialize<AdapterSpec>(json, JsonShapeValidator.SerializerOptions)!;

    [Fact]
    public void Every_combination_of_the_lists_is_one_configuration_in_the_order_given()
    {
        var adapter = Adapter("""{ "strategy": "lora", "learningRate": [1e-3, 5e-3], "options": { "r": [8, 16], "alpha": 32, "targetModules": [["query", "value"], ["all-linear"]] } }""");

        var (combinations, problems) = SearchSpace.Expand(adapter, typeof(Options), "$.adapters[1]");

        problems.Should().BeEmpty();
        combinations.Select(c => c.Label("lora")).Should().Equal(
            "lora lr=0.001 r=8 targetModules=query+value", "lora lr=0.001 r=8 targetModules=all-linear",
            "lora lr=0.001 r=16 targetModules=query+value", "lora lr=0.001 r=16 targetModules=all-linear",
            "lora lr=0.005 r=8 targetModules=query+value", "lora lr=0.005 r=8 targetModules=all-linear",
            "lora lr=0.005 r=16 targetModules=query+value", "lora lr=0.005 r=16 targetModules=all-linear");
        var last = combinations[^1];
        last.LearningRate.Should().Be(5e-3);
        var options = last.Options!.Value.Deserialize<Options>(JsonShapeValidator.SerializerOptions)!;
        (options.R, options.Alpha, options.TargetModules).Should().Be((16, 32.0, options.TargetModules));
        options.TargetModules.Should().Equal("all-linear");
    }

    [Fact]
    public void An_entry_without_lists_is_one_configuration_and_a_list_option_given_one_list_is_a_value()
    {
        var adapter = Adapter("""{ "strategy": "lora", "learningRate": 1e-3, "options": { "r": 4, "targetModules": ["query", "key"] } }""");

        var (combinations, problems) = SearchSpace.Expand(adapter, typeof(Options), "$.adapters[0]");

        problems.Should().BeEmpty();
        combinations.Should().ContainSingle().Which.Choices.Should().BeEmpty();
        combinations[0].Label("lora").Should().Be("lora");
        combinations[0].LearningRate.Should().Be(1e-3);
        combinations[0].Options!.Value.GetRawText().Should().Contain("\"key\"");
    }

    [Fact]
    public void A_list_of_one_still_names_its_choice()
    {
        var (combinations, _) = SearchSpace.Expand(Adapter("""{ "strategy": "lora", "options": { "r": [4] } }"""), typeof(Options), "$.adapters[0]");
        combinations.Select(c => c.Label("lora")).Should().Equal("lora r=4");
    }

    [Fact]
    public void Empty_mixed_and_repeated_search_lists_are_refused_with_their_paths()
    {
        Problems("""{ "strategy": "lora", "options": { "r": [] } }""").Should().Equal(
            "$.adapters[0].options.r: an empty search list; give one value or a list of at least one value");
        Problems("""{ "strategy": "lora", "options": { "r": [8, "16"] } }""").Should().Equal(
            "$.adapters[0].options.r: a search list mixes number and string values; every value of a search must be of one type");
        Problems("""{ "strategy": "lora", "options": { "targetModules": [["query"], "value"] } }""").Should().Equal(
            "$.adapters[0].options.targetModules: a search list mixes list and string values; every value of a search must be of one type (for a list option, search with a list of lists)");
        Problems("""{ "strategy": "lora", "learningRate": [1e-3, 0.001], "options": { "r": [8, 16, 8] } }""").Should().Equal(
            "$.adapters[0].learningRate[1]: 0.001 is searched twice (also at [0])",
            "$.adapters[0].options.r[2]: 8 is searched twice (also at [0])");
        Problems("""{ "strategy": "lora", "learningRate": [1e-3, 0.001] }""").Should().Equal(
            new[] { "$.adapters[0].learningRate[1]: 0.001 is searched twice (also at [0])" }, "an entry without options is checked too");
        Problems("""{ "strategy": "lora", "options": { "r": [8, 8.0, 16] } }""").Should().Equal("$.adapters[0].options.r[1]: 8.0 is searched twice (also at [0])");
    }

    private static IReadOnlyList<string> Problems(string adapter) => SearchSpace.Expand(Adapter(adapter), typeof(Options), "$.adapters[0]").Problems;
}
