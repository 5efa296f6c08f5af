using System.Text.Json;
using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Cli;

public sealed class CliTests
{
    [Fact]
    public async Task Plugins_list_json_shows_the_four_bundled_plugins_with_options()
    {
        var result = await PeftqaCli.Run("plugins", "list", "--json");

        result.ExitCode.Should().Be(0, result.Error);
        var plugins = JsonDocument.Parse(result.Out).RootElement.EnumerateArray().ToList();
        var byName = plugins.ToDictionary(p => p.GetProperty("name").GetString()!);
        byName.Keys.Should().Contain(["full", "lora", "prompt-tuning", "p-tuning-v2", "exact_match", "f1"]);
        foreach (var (name, folder) in new[] { ("full", "FullFineTune"), ("lora", "Lora"), ("p-tuning-v2", "SoftPrompt"), ("f1", "Metrics") })
            byName[name].GetProperty("path").GetString().Should().EndWith(Path.Combine("plugins", folder, folder + ".dll"));
        byName["lora"].GetProperty("kind").GetString().Should().Be("adapter-strategy");
        byName["f1"].GetProperty("kind").GetString().Should().Be("metric");
        var rank = byName["lora"].GetProperty("options").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "r");
        rank.GetProperty("default").GetString().Should().Be("16");
        rank.GetProperty("peftDefault").GetString().Should().Be("8");
        byName["lora"].GetProperty("recommendedLearningRate").GetDouble().Should().Be(1e-3);
        rank.GetProperty("type").GetString().Should().Be("integer");
    }

    [Fact]
    public async Task Plugins_list_prints_a_table()
    {
        var result = await PeftqaCli.Run("plugins", "list");

        result.ExitCode.Should().Be(0, result.Error);
        result.Out.Should().Contain("lora").And.Contain("r: integer = 16 (PEFT: 8)").And.Contain("adapter-strategy").And.Contain("metric");
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var result = await PeftqaCli.Run("--version");

        result.ExitCode.Should().Be(0);
        result.Out.Trim().Should().MatchRegex(@"^\d+\.\d+\.\d+");
    }

    [Fact]
    public async Task Unknown_command_is_bad_usage()
    {
        var result = await PeftqaCli.Run("fly");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("fly");
    }

    [Fact]
    public async Task A_bad_recipe_exits_2_naming_the_file_and_path()
    {
        using var folder = new TemporaryFolder();
        var recipe = folder.WriteFile("x.json", """{ "name": "r", "tasks": [{ "name": "t", "train": "a", "eval": "b" }], "training": { "learningRate": "fast" } }""");

        var result = await PeftqaCli.Run("run", recipe);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain($"{recipe}: $.training.learningRate: expected a number");
    }

    [Fact]
    public async Task A_missing_recipe_exits_2()
    {
        var result = await PeftqaCli.Run("run", "no/such/recipe.json");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("no/such/recipe.json: recipe file not found");
    }

    [Fact]
    public async Task Recipe_problems_found_with_plugins_and_data_are_all_reported_before_any_work()
    {
        using var folder = new TemporaryFolder();
        folder.WriteFile("data/train.json", TestEnvironment.TinySquad);
        var recipe = folder.WriteFile("x.json", """
            { "name": "r", "dataRoot": "data",
              "tasks": [{ "name": "t", "train": "train.json", "eval": "missing.json" }],
              "adapters": [{ "strategy": "lorra" }, { "strategy": "lora", "options": { "r": 0 } },
                           { "strategy": "full", "options": { "freezeEmbedings": true } }, { "strategy": "lora", "label": "lora-2", "options": { "targetModules": ["qury"] } }],
              "evaluation": { "metrics": ["f1", "bleurt"] } }
            """);

        var result = await PeftqaCli.Run("run", recipe, "--dry-run");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain($"{recipe}: $.tasks[0].eval: data file not found: {folder.Combine("data", "missing.json")}")
            .And.Contain($"{recipe}: $.adapters[0].strategy: no adapter-strategy plugin named 'lorra'; available: full, ia3, lora, p-tuning-v2, prompt-tuning")
            .And.Contain($"{recipe}: $.adapters[1].options.r: expected a value of at least 1, got 0")
            .And.Contain($"{recipe}: $.adapters[3].options.targetModules: unknown module 'qury'")
            .And.Contain($"{recipe}: $.adapters[2].options.freezeEmbedings: unknown field; did you mean 'freezeEmbeddings'?")
            .And.Contain($"{recipe}: $.evaluation.metrics[1]: no metric plugin named 'bleurt'");
        Directory.Exists(folder.Combine("runs")).Should().BeFalse("nothing is written for a bad recipe");
    }

    [Fact]
    public async Task A_valid_recipe_dry_run_prints_the_plan_and_writes_nothing()
    {
        using var folder = new TemporaryFolder();
        folder.WriteFile("data/train.json", TestEnvironment.TinySquad);
        folder.WriteFile("data/dev.json", TestEnvironment.TinySquad);
        var recipe = folder.WriteFile("x.json", """
            { "name": "r", "dataRoot": "data", "output": "runs",
              "tasks": [{ "name": "squad", "train": "train.json", "eval": "dev.json" }],
              "adapters": [{ "strategy": "full" }, { "strategy": "lora", "options": { "r": 4 } }] }
            """);

        var result = await PeftqaCli.Run("run", recipe, "--dry-run", "--device", "cpu");

        result.ExitCode.Should().Be(0, result.Error);
        result.Out.Should().Contain("squad").And.Contain("lora").And.Contain(folder.Combine("data", "train.json"));
        result.Error.Should().Contain("Device cpu");
    }

    [Fact]
    public async Task Device_cuda_is_used_when_available_and_otherwise_exits_2_with_a_clear_message()
    {
        using var folder = new TemporaryFolder();
        folder.WriteFile("train.json", TestEnvironment.TinySquad);
        var recipe = folder.WriteFile("x.json", """{ "name": "r", "dataRoot": ".", "tasks": [{ "name": "t", "train": "train.json", "eval": "train.json" }] }""");

        var result = await PeftqaCli.Run("run", recipe, "--dry-run", "--device", "cuda");

        if (TorchSharp.torch.cuda.is_available())
        {
            result.ExitCode.Should().Be(0, result.Error);
            result.Error.Should().Contain("Device cuda");
        }
        else
        {
            result.ExitCode.Should().Be(2);
            result.Error.Should().Contain("--device cuda: CUDA is not available");
        }
    }

    [Fact]
    public async Task The_data_root_option_wins_over_the_recipe()
    {
        using var folder = new TemporaryFolder();
        folder.WriteFile("other/train.json", TestEnvironment.TinySquad);
        var recipe = folder.WriteFile("x.json", """{ "name": "r", "dataRoot": "nowhere", "tasks": [{ "name": "t", "train": "train.json", "eval": "train.json" }] }""");

        var result = await PeftqaCli.Run("run", recipe, "--dry-run", "--device", "cpu", "--data-root", folder.Combine("other"));

        result.ExitCode.Should().Be(0, result.Error);
    }
}
