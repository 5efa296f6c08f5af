using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Planning;

/// <summary>Bad early-stopping and halving settings fail with exit 2 before any work, naming the JSON path.</summary>
[Collection(SerialCollection.Name)]
public sealed class EarlyStoppingAndHalvingInputTests
{
    /// <summary>A recipe over ten one-question training paragraphs and a separate eval file, with the fields given merged in.</summary>
    private static string Recipe(TemporaryFolder folder, string adapters, string? earlyStopping = null, string? selection = null,
        int trainParagraphs = 10, bool twoTasks = false, int maxSteps = 6)
    {
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), TinyRuns.Vocabulary);
        var train = folder.WriteFile("data/train.json", SelectionRunTests.TrainingFile(trainParagraphs));
        var eval = folder.WriteFile("data/eval.json", TinyRuns.Squad);
        var recipe = JsonNode.Parse(TinyRuns.SquadRecipe(model, eval, adapters, maxSteps: maxSteps))!;
        recipe["tasks"]![0]!["train"] = train;
        if (twoTasks) recipe["tasks"]!.AsArray().Add(new JsonObject { ["name"] = "again", ["train"] = train, ["eval"] = eval });
        if (earlyStopping is not null) recipe["training"]!["earlyStopping"] = JsonNode.Parse(earlyStopping);
        if (selection is not null) recipe["selection"] = JsonNode.Parse(selection);
        return folder.WriteFile("recipe.json", recipe.ToJsonString());
    }

    private const string Searched = """[{ "strategy": "full", "learningRate": [1e-4, 3e-4, 1e-3] }]""";

    public static TheoryData<string, string?, string?, string> BadSettings => new()
    {
        { Searched, """{ "patience": 0 }""", null, "$.training.earlyStopping.patience: expected a value of at least 1, got 0" },
        { Searched, """{ "minDelta": -0.5 }""", null, "$.training.earlyStopping.minDelta: expected a value of at least 0, got -0.5" },
        { Searched, """{ "every": 0 }""", null, "$.training.earlyStopping.every: expected a value of at least 1, got 0" },
        { Searched, """{ "metric": "bleu" }""", null, "$.training.earlyStopping.metric: 'bleu' is not one of evaluation.metrics (exact_match, f1)" },
        { Searched, """{ "validationFraction": 0.7 }""", null, "$.training.earlyStopping.validationFraction: expected a value above 0, at most 0.5" },
        { """[{ "strategy": "full" }]""", null, """{ "strategy": "halving" }""", "$.selection.strategy: halving needs a search of at least two candidates" },
        { Searched, null, """{ "strategy": "halving", "eta": 1 }""", "$.selection.eta: expected a value of at least 2, got 1" },
        { Searched, null, """{ "strategy": "random" }""", "$.selection.strategy: expected one of grid, halving, got 'random'" },
        { Searched, null, """{ "strategy": "halving", "minSteps": 6 }""", "$.selection.minSteps: 6 steps is not below full's budget of 6 steps" },
        { Searched, null, """{ "strategy": "halving", "minSteps": 0 }""", "$.selection.minSteps: expected a value of at least 1, got 0" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Bad_settings_fail_before_any_work_naming_the_json_path(string adapters, string? earlyStopping, string? selection, string expected)
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, adapters, earlyStopping, selection);

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", folder.Combine("run"));

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().Contain(expected);
        Directory.Exists(folder.Combine("run")).Should().BeFalse("nothing was started");
    }

    [Fact]
    public async Task The_metric_may_be_named_in_any_case_as_metric_plugins_are_found()
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, Searched, earlyStopping: """{ "metric": "F1" }""", selection: """{ "metric": "Exact_Match" }""");

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--dry-run");

        result.ExitCode.Should().Be(0, result.Error);
    }

    [Fact]
    public async Task Halving_refuses_a_sequence_of_tasks()
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, Searched, selection: """{ "strategy": "halving" }""", twoTasks: true);

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--dry-run");

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().Contain("$.selection.strategy: halving continues candidates from their checkpoints, which a sequence of 2 trained tasks cannot do");
    }

    [Fact]
    public async Task Early_stopping_refuses_a_task_left_without_training_data_by_its_validation_split()
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, """[{ "strategy": "full" }]""", earlyStopping: "{}", trainParagraphs: 1);

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", folder.Combine("run"));

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().Contain("$.tasks[0].train: task 'capitals' has too few training paragraphs to hold out validation questions (for early stopping)");
        Directory.Exists(folder.Combine("run")).Should().BeFalse();
    }

    [Fact]
    public async Task The_dry_run_prints_early_stopping_the_rungs_and_the_cost_of_both_ways()
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, Searched, earlyStopping: """{ "every": 2 }""", selection: """{ "strategy": "halving", "validationFraction": 0.3 }""",
            maxSteps: 9);

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--dry-run");

        result.ExitCode.Should().Be(0, result.Error);
        var printed = System.Text.RegularExpressions.Regex.Replace(result.Out, @"\s+", " ");
        printed.Should().Contain("Early stopping: every 2 steps and at a task's last, its validation questions are scored by f1")
            .And.Contain("stops after 3 scorings in a row without a rise of more than 0.5 over the best")
            .And.Contain("validation: selection's")
            .And.Contain("by successive halving (eta 3, first rung the budget / eta^k)")
            .And.Contain("the seed-7 study of each method adopts its winner's weights");
        // 3 candidates: 3 to step 3, 1 on to step 9 (15 steps, against 27 for the grid); the final study adopts the winner's: 30 windows of 2 against 72.
        result.Error.Should().Contain("Estimated cost: 4 studies, 30 training (a grid search training everything: 72)").And.Contain("at most");
    }
}
