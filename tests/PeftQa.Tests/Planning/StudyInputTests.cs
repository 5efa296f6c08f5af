using PeftQa.Host.Planning;
using System.Text.Json;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using PeftQa.Tests.Support;
using Xunit;
using PeftQa.Host.Foundation;

namespace PeftQa.Tests.Planning;

/// <summary>What a forgetting-study recipe can get wrong, caught before training; and the held-out split of one file.</summary>
public sealed class StudyInputTests
{
    private static IReadOnlyList<string> ProblemsOf(string json)
    {
        var act = () => RecipeLoader.Parse(json, "recipes/x.json");
        return act.Should().Throw<BadInputException>().Which.Problems;
    }

    [Fact]
    public void Continual_entries_and_splits_are_checked_with_their_paths()
    {
        ProblemsOf("""
            { "name": "r",
              "tasks": [ { "name": "a", "train": "x.json", "eval": "y.json", "split": { "by": "sentence" } } ],
              "adapters": [ { "strategy": "full" }, { "strategy": "lora" } ],
              "continual": [ { "strategy": "naive" }, { "strategy": "replay", "adapters": ["lroa"] }, { "strategy": "naive" } ] }
            """).Should().BeEquivalentTo(
            "recipes/x.json: $.continual[2].label: duplicate continual label (set a distinct label) 'naive' (also at $.continual[0].label)",
            "recipes/x.json: $.continual[1].adapters[0]: no adapter labelled 'lroa'; the adapters are full, lora",
            "recipes/x.json: $.tasks[0].split.by: expected one of paragraph, article, got 'sentence'",
            "recipes/x.json: $.tasks[0].split: task 'a' splits one file, so train and eval must name the same file (got 'x.json' and 'y.json')");
    }

    [Fact]
    public void A_recipe_without_continual_runs_one_naive_study_per_adapter_with_the_documented_metrics()
    {
        var recipe = RecipeLoader.Parse("""{ "name": "r", "tasks": [{ "name": "t", "train": "a", "eval": "b" }] }""", "recipes/x.json").Recipe;
        recipe.Continual.Should().ContainSingle().Which.Strategy.Should().Be("naive");
        recipe.Evaluation.ContinualMetrics.Should().Equal("acc", "bwt", "fwt", "forgetting");
    }

    [Fact]
    public void A_held_out_split_keeps_whole_paragraphs_on_one_side_and_is_seeded()
    {
        var data = SyntheticQa.Generate("sports", "eval");
        var split = new HoldOutSplit { EvalFraction = 0.25, By = "paragraph" };

        var (train, eval) = TaskDataLoader.HoldOut(data, split, seed: 3);

        var trainContexts = train.Examples.Select(e => e.Context).ToHashSet();
        eval.Examples.Should().NotBeEmpty().And.OnlyContain(e => !trainContexts.Contains(e.Context), "no context is on both sides");
        (train.Examples.Count + eval.Examples.Count).Should().Be(data.Examples.Count);
        eval.Examples.Select(e => e.Context).Distinct().Count().Should().Be(30, "a quarter of the 120 paragraphs");
        TaskDataLoader.HoldOut(data, split, seed: 3).Eval.Examples.Select(e => e.Id).Should().Equal(eval.Examples.Select(e => e.Id));
        TaskDataLoader.HoldOut(data, split, seed: 4).Eval.Examples.Select(e => e.Id).Should().NotEqual(eval.Examples.Select(e => e.Id));
    }

    [Fact]
    public async Task A_task_whose_evaluation_data_has_no_usable_question_fails_before_training_naming_the_task()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), Path.Combine(BuiltinModels.EnsureCheckpoint(ModelSources.MiniLmL6, NullLogger.Instance), "vocab.txt"));
        folder.WriteFile("data/bad.json", """
            { "version": "1.1", "data": [ { "title": "t", "paragraphs": [ { "context": "Paris is in France.",
              "qas": [ { "id": "q1", "question": "Where is Paris?", "answers": [ { "text": "Spain", "answer_start": 12 } ] } ] } ] } ] }
            """);
        var recipe = folder.WriteFile("r.json", $$"""
            { "name": "r", "model": {{JsonSerializer.Serialize(model)}}, "dataRoot": "data",
              "tasks": [ { "name": "good", "train": "builtin:synthetic/sports/train", "eval": "builtin:synthetic/sports/eval" },
                         { "name": "empty", "train": "builtin:synthetic/products/train", "eval": "bad.json" } ],
              "training": { "maxSteps": 1, "maxSequenceLength": 96, "docStride": 32 } }
            """);

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", folder.Combine("run"));

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("task 'empty': its evaluation data").And.Contain("has no usable questions");
        Directory.Exists(folder.Combine("run", "studies")).Should().BeFalse("no study started");
    }
}
