using FluentAssertions;
using PeftQa.Host.Recipes;
using Xunit;
using PeftQa.Host.Foundation;

namespace PeftQa.Tests.Recipes;

public sealed class RecipeLoaderTests
{
    private const string Minimal = """{ "name": "r", "tasks": [{ "name": "t", "train": "a.json", "eval": "b.json" }] }""";

    private static IReadOnlyList<string> ProblemsOf(string json)
    {
        var act = () => RecipeLoader.Parse(json, "recipes/x.json");
        return act.Should().Throw<BadInputException>().Which.Problems;
    }

    [Fact]
    public void A_minimal_recipe_gets_the_documented_defaults()
    {
        var recipe = RecipeLoader.Parse(Minimal, "recipes/x.json").Recipe;

        recipe.Model.Should().Be("builtin:minilm-l6");
        recipe.Seed.Should().Be(42);
        recipe.Adapters.Should().ContainSingle().Which.Strategy.Should().Be("full");
        recipe.Training.LearningRate.Should().BeNull("each strategy's recommended rate applies");
        TrainingSettings.FallbackLearningRate.Should().Be(3e-5, "a strategy that recommends no rate gets it");
        recipe.Training.BatchSize.Should().Be(12);
        recipe.Training.MaxSequenceLength.Should().Be(384);
        recipe.Training.DocStride.Should().Be(128);
        recipe.Evaluation.Metrics.Should().Equal("exact_match", "f1");
        recipe.Evaluation.NBestSize.Should().Be(20);
        recipe.Evaluation.MaxAnswerLength.Should().Be(30);
    }

    [Fact]
    public void A_wrong_type_names_the_file_and_json_path()
    {
        ProblemsOf("""{ "name": "r", "tasks": [{ "name": "t", "train": "a", "eval": "b" }], "training": { "learningRate": "fast" } }""")
            .Should().Equal("recipes/x.json: $.training.learningRate: expected a number, got the string \"fast\"");
    }

    [Fact]
    public void An_unknown_field_is_rejected_with_a_suggestion()
    {
        ProblemsOf("""{ "name": "r", "tasks": [{ "name": "t", "train": "a", "eval": "b" }], "trainig": {} }""")
            .Should().ContainSingle().Which.Should().StartWith("recipes/x.json: $.trainig: unknown field; did you mean 'training'?");
    }

    [Fact]
    public void Missing_required_fields_are_each_reported()
    {
        ProblemsOf("""{ "tasks": [{ "name": "t" }] }""").Should().BeEquivalentTo(
            "recipes/x.json: $.tasks[0].eval: required field is missing",
            "recipes/x.json: $.name: required field is missing");
    }

    [Fact]
    public void A_task_needs_train_unless_it_is_a_retention_task_and_only_retention_tasks_have_memory()
    {
        ProblemsOf("""
            { "name": "r", "tasks": [
              { "name": "squad", "eval": "b" },
              { "name": "news", "train": "a", "eval": "b", "memory": "c" },
              { "name": "kept", "retention": true, "train": "a", "eval": "b" }
            ] }
            """).Should().BeEquivalentTo(
            "recipes/x.json: $.tasks[0].train: task 'squad' needs training data (or set \"retention\": true for a task that is only evaluated)",
            "recipes/x.json: $.tasks[1].memory: only a retention task has memory (task 'news' is trained on its train data); remove memory or set \"retention\": true",
            "recipes/x.json: $.tasks[2].train: task 'kept' is a retention task (retention: true), which is evaluated at every stage and never trained; remove train (name the data strategies may remember in memory)");
        ProblemsOf("""{ "name": "r", "tasks": [{ "name": "kept", "retention": true, "eval": "b" }] }""").Should().BeEquivalentTo(
            "recipes/x.json: $.tasks: every task is a retention task (retention: true); at least one must be trained");
    }

    [Fact]
    public void Values_out_of_range_and_empty_lists_are_rejected()
    {
        ProblemsOf("""{ "name": "r", "tasks": [], "training": { "batchSize": 0, "warmupRatio": 1.5 } }""").Should().BeEquivalentTo(
            "recipes/x.json: $.tasks: expected at least 1 item",
            "recipes/x.json: $.training.batchSize: expected a value of at least 1, got 0",
            "recipes/x.json: $.training.warmupRatio: expected a value from 0 to 1, got 1.5");
    }

    [Fact]
    public void Duplicate_task_names_are_rejected()
    {
        ProblemsOf("""
            { "name": "r", "tasks": [
              { "name": "squad", "train": "a", "eval": "b" },
              { "name": "Squad", "train": "c", "eval": "d" } ] }
            """).Should().Equal("recipes/x.json: $.tasks[1].name: duplicate task name 'Squad' (also at $.tasks[0].name)");
    }

    [Fact]
    public void Task_names_that_would_share_a_file_or_leave_their_folder_are_rejected()
    {
        ProblemsOf("""
            { "name": "r", "tasks": [
              { "name": "a/b", "train": "a", "eval": "b" },
              { "name": "a_b", "train": "c", "eval": "d" },
              { "name": "", "train": "c", "eval": "d" },
              { "name": "..", "train": "c", "eval": "d" } ] }
            """).Should().BeEquivalentTo(
            "recipes/x.json: $.tasks[1].name: task name 'a_b' and 'a/b' ($.tasks[0].name) would both be written to the folder 'a_b'; give one a different label",
            "recipes/x.json: $.tasks[2].name: task name '' cannot be a folder name (it must contain a letter, digit, '-' or '_')",
            "recipes/x.json: $.tasks[3].name: task name '..' cannot be a folder name (it must contain a letter, digit, '-' or '_')");
    }

    [Fact]
    public void Not_json_reports_line_and_column()
    {
        ProblemsOf("{\n  \"name\": \"r\",\n  oops\n}").Should().ContainSingle()
            .Which.Should().StartWith("recipes/x.json: line 3, column 3: not valid JSON");
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        var recipe = RecipeLoader.Parse("""
            {
              // a comment
              "name": "r",
              "tasks": [{ "name": "t", "train": "a", "eval": "b", },],
            }
            """, "recipes/x.json").Recipe;
        recipe.Tasks.Should().ContainSingle();
    }

    [Fact]
    public void A_stride_not_below_the_sequence_length_is_rejected()
    {
        ProblemsOf("""{ "name": "r", "tasks": [{ "name": "t", "train": "a", "eval": "b" }], "training": { "maxSequenceLength": 128, "docStride": 128 } }""")
            .Should().Equal("recipes/x.json: $.training.docStride: expected less than maxSequenceLength (128), got 128");
    }

    [Fact]
    public void A_comparison_reference_must_name_a_study()
    {
        ProblemsOf("""{ "name": "r", "tasks": [{ "name": "t", "train": "a", "eval": "b" }], "adapters": [{ "strategy": "full" }, { "strategy": "lora" }], "compare": { "reference": "lorra" } }""")
            .Should().Equal("recipes/x.json: $.compare.reference: no study labelled 'lorra'; the studies are full, lora");
        ProblemsOf("""{ "name": "r", "tasks": [{ "name": "t", "train": "a", "eval": "b" }], "compare": { "resamples": 10 } }""")
            .Should().Equal("recipes/x.json: $.compare.resamples: expected a value from 1000 to 1000000, got 10");
        RecipeLoader.Parse("""{ "name": "r", "tasks": [{ "name": "t", "train": "a", "eval": "b" }], "adapters": [{ "strategy": "full" }, { "strategy": "lora" }], "compare": { "reference": "lora" } }""",
            "recipes/x.json").Recipe.Compare.Reference.Should().Be("lora");
    }

    [Fact]
    public void Seeds_must_be_distinct_and_at_least_one()
    {
        ProblemsOf("""{ "name": "r", "tasks": [{ "name": "t", "train": "a", "eval": "b" }], "seeds": [7, 8, 7] }""")
            .Should().Equal("recipes/x.json: $.seeds[2]: duplicate seed '7' (also at $.seeds[0])");
        ProblemsOf("""{ "name": "r", "tasks": [{ "name": "t", "train": "a", "eval": "b" }], "seeds": [] }""")
            .Should().Equal("recipes/x.json: $.seeds: expected at least 1 item");
    }

    [Fact]
    public void Every_shipped_recipe_is_valid()
    {
        var recipes = Directory.GetFiles(Path.Combine(Support.TestEnvironment.RepositoryRoot, "recipes"), "*.json")
            .Where(path => !path.EndsWith(".schema.json", StringComparison.Ordinal));
        foreach (var path in recipes)
            RecipeLoader.Load(path).Recipe.Name.Should().NotBeNullOrWhiteSpace();
    }
}
