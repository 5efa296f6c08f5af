using System.Reflection;
using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Plugins.Lora;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Planning;

/// <summary>Naming only a strategy gives a sound configuration: its recommended learning rate and QA defaults, with PEFT's shown where they differ.</summary>
[Collection(SerialCollection.Name)]
public sealed class StrategyDefaultsTests
{
    private const string FourStrategies = """[{ "strategy": "full" }, { "strategy": "lora" }, { "strategy": "p-tuning-v2" }, { "strategy": "prompt-tuning" }, { "strategy": "lora", "label": "lora-own", "learningRate": 0.002 }]""";

    private static async Task<List<string>> PlanRows(TemporaryFolder folder, string recipe)
    {
        var result = await PeftqaCli.Run("run", recipe, "--dry-run", "--device", "cpu");
        result.ExitCode.Should().Be(0, result.Error);
        return result.Out.Split('\n').Where(l => l.Contains("capitals")).ToList();
    }

    [Fact]
    public async Task Without_a_learning_rate_in_the_recipe_each_strategy_trains_at_its_recommended_rate()
    {
        using var folder = new TemporaryFolder();
        var (recipe, _, _) = TinyRuns.Create(folder, FourStrategies);
        File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("\"learningRate\": 5e-4, ", ""));

        var rows = await PlanRows(folder, recipe);

        rows.Should().HaveCount(5);
        rows[0].Should().Contain("│ full ").And.Contain("│ 3E-05 ", "full fine-tuning recommends none: Hugging Face's 3e-5");
        rows[1].Should().Contain("│ lora ").And.Contain("│ 0.001 ");
        rows[2].Should().Contain("│ p-tuning-v2 ").And.Contain("│ 0.005 ");
        rows[3].Should().Contain("│ prompt-tuning ").And.Contain("│ 0.03 ");
        rows[4].Should().Contain("│ lora-own ").And.Contain("│ 0.002 ", "the adapter's own rate comes first");
    }

    [Fact]
    public async Task A_learning_rate_in_training_applies_to_every_adapter_without_its_own()
    {
        using var folder = new TemporaryFolder();
        var (recipe, _, _) = TinyRuns.Create(folder, FourStrategies);

        var rows = await PlanRows(folder, recipe);

        rows.Take(4).Should().OnlyContain(r => r.Contains("│ 0.0005 "), "training.learningRate, when given, is the recipe's choice");
        rows[4].Should().Contain("│ 0.002 ");
    }

    [Fact]
    public void Lora_defaults_are_for_extractive_qa_and_name_where_peft_differs()
    {
        var options = new LoraOptions();
        (options.R, options.Alpha).Should().Be((16, 32.0));
        options.TargetModules.Should().Equal("all-linear");
        new LoraStrategy().RecommendedLearningRate.Should().Be(1e-3);
        var peft = typeof(LoraOptions).GetProperties().Where(p => p.GetCustomAttribute<PeftDefaultAttribute>() is not null)
            .ToDictionary(p => p.Name, p => p.GetCustomAttribute<PeftDefaultAttribute>()!.Value);
        peft.Should().BeEquivalentTo(new Dictionary<string, string> { ["R"] = "8", ["Alpha"] = "8", ["TargetModules"] = "[\"query\", \"value\"]" });
    }

    [Fact]
    public async Task Plugins_list_shows_recommended_rates_and_pefts_defaults_beside_ours()
    {
        var result = await PeftqaCli.Run("plugins", "list");

        result.ExitCode.Should().Be(0, result.Error);
        result.Out.Should().Contain("learning rate 0.001 unless the recipe sets one").And.Contain("r: integer = 16 (PEFT: 8)")
            .And.Contain("Defaults that differ from Hugging Face PEFT's").And.Contain("lora.targetModules: [\"all-linear\"] (PEFT: [\"query\", \"value\"]): ");
    }
}
