using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Planning;

/// <summary>A search with <c>selection</c>: candidates train and score on held-out training paragraphs; only each method's winner meets the evaluation data.</summary>
[Collection(SerialCollection.Name)]
public sealed class SelectionRunTests
{
    /// <summary>A SQuAD file of <paramref name="paragraphs"/> one-question paragraphs, ids "train-N".</summary>
    internal static string TrainingFile(int paragraphs) => JsonSerializer.Serialize(new
    {
        version = "1.1",
        data = new[]
        {
            new
            {
                title = "Capitals",
                paragraphs = Enumerable.Range(0, paragraphs).Select(p => new
                {
                    context = $"Town{p} is the capital of Land{p}. It lies on river{p}.",
                    qas = new[] { new { id = $"train-{p}", question = $"What is the capital of Land{p}?", answers = new[] { new { text = $"Town{p}", answer_start = 0 } } } },
                }).ToArray(),
            },
        },
    });

    /// <summary>A search recipe over ten one-question training paragraphs, with <paramref name="selection"/>.</summary>
    internal static string Recipe(TemporaryFolder folder, string adapters, string selection)
    {
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), TinyRuns.Vocabulary);
        var train = folder.WriteFile("data/train.json", TrainingFile(10));
        var eval = folder.WriteFile("data/eval.json", TinyRuns.Squad);
        var recipe = JsonNode.Parse(TinyRuns.SquadRecipe(model, eval, adapters, maxSteps: 2))!;
        recipe["tasks"]![0]!["train"] = train;
        recipe["selection"] = JsonNode.Parse(selection);
        return folder.WriteFile("search.json", recipe.ToJsonString());
    }

    private static IReadOnlyList<string> AnsweredIds(string answersFile) =>
        JsonNode.Parse(File.ReadAllText(answersFile))!.AsArray().Select(a => a!["id"]!.GetValue<string>()).ToList();

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Candidates_are_scored_on_validation_and_only_each_methods_winner_is_evaluated()
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, """[{ "strategy": "full" }, { "strategy": "lora", "learningRate": [5e-4, 5e-3], "options": { "r": [2, 4] } }]""",
            """{ "validationFraction": 0.3 }""");
        var runFolder = folder.Combine("run");

        var plan = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--dry-run");
        var run = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", runFolder);

        plan.ExitCode.Should().Be(0, plan.Error);
        plan.Out.Should().Contain("Selection: 4 candidates").And.Contain("lora lr=0.0005 r=2").And.Contain("lora lr=0.005 r=4")
            .And.Contain("the best of its 4 candidates on validation");
        plan.Error.Should().Contain("2 studies after 4 selection candidates").And.Contain("Estimated cost: 6 studies");
        run.ExitCode.Should().Be(0, run.Error);

        var selection = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "selection.json")))!;
        var lora = selection["methods"]!.AsArray().Should().ContainSingle().Subject!;
        var candidates = lora["candidates"]!.AsArray();
        candidates.Select(c => c!["choices"]!.GetValue<string>()).Should().Equal("lr=0.0005 r=2", "lr=0.0005 r=4", "lr=0.005 r=2", "lr=0.005 r=4");
        var f1 = candidates.Select(c => c!["validation"]!["f1"]!.GetValue<double>()).ToList();
        int best = f1.IndexOf(f1.Max());
        lora["chosen"]!.GetValue<string>().Should().Be(candidates[best]!["label"]!.GetValue<string>(), "the highest validation F1 wins, the first of equals");

        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!["studies"]!.AsArray();
        results.Select(s => s!["label"]!.GetValue<string>()).Should().Equal("full", "lora");
        results[1]!["choices"]!.GetValue<string>().Should().Be(candidates[best]!["choices"]!.GetValue<string>());
        File.ReadAllText(Path.Combine(runFolder, "report.md")).Should().Contain($"| lora | {candidates[best]!["choices"]} |");

        var validationIds = Directory.GetDirectories(Path.Combine(runFolder, "selection", "studies"))
            .SelectMany(study => AnsweredIds(Path.Combine(study, "answers", "capitals.json"))).Distinct().ToList();
        validationIds.Should().HaveCount(3, "30% of the 10 training paragraphs").And.OnlyContain(id => id.StartsWith("train-"), "selection never scores an evaluation question");
        AnsweredIds(Path.Combine(runFolder, "studies", "lora", "answers", "capitals.json")).Should().BeEquivalentTo(["q1", "q2", "q3"]);
        Directory.GetDirectories(Path.Combine(runFolder, "studies")).Select(Path.GetFileName).Should().BeEquivalentTo(["full", "lora"]);

        run.Error.Should().Contain("3 validation questions held out of the training data by paragraph (seed 7) to choose searched settings; 7 training questions remain");
    }

    [Theory]
    [InlineData("""{ "validationFraction": 0.6 }""", "$.selection.validationFraction: expected a value above 0, at most 0.5, got 0.6")]
    [InlineData("""{ "validationFraction": 0 }""", "$.selection.validationFraction: expected a value above 0, at most 0.5, got 0")]
    [InlineData("""{ "metric": "bleu" }""", "$.selection.metric: 'bleu' is not one of evaluation.metrics (exact_match, f1)")]
    public async Task Bad_selection_settings_fail_before_any_work(string selection, string expected)
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, """[{ "strategy": "lora", "options": { "r": [2, 4] } }]""", selection);

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", folder.Combine("run"));

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().Contain(expected);
        Directory.Exists(folder.Combine("run")).Should().BeFalse();
    }

    [Fact]
    public async Task Selection_refuses_a_task_that_trains_and_evaluates_on_one_file_and_a_search_of_an_unknown_option()
    {
        using var folder = new TemporaryFolder();
        var (_, model, data) = TinyRuns.Create(folder);
        var recipe = JsonNode.Parse(TinyRuns.SquadRecipe(model, data, """[{ "strategy": "lora", "options": { "rank": [2, 4] } }]"""))!;
        recipe["selection"] = new JsonObject();
        var path = folder.WriteFile("same-file.json", recipe.ToJsonString());

        var result = await PeftqaCli.Run("run", path, "--device", "cpu", "--dry-run");

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().Contain("$.tasks[0]: task 'capitals' trains and evaluates on the same file, so selection's validation paragraphs would be evaluation questions")
            .And.Contain("$.adapters[0].options.rank: unknown field");
    }

    [Fact]
    public async Task A_run_of_forty_studies_warns_with_the_count_and_the_estimated_time()
    {
        using var folder = new TemporaryFolder();
        var rates = string.Join(", ", Enumerable.Range(1, 40).Select(i => $"{i}e-5"));
        var (recipe, _, _) = TinyRuns.Create(folder, $$"""[{ "strategy": "full", "learningRate": [{{rates}}] }]""");

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--dry-run");

        result.ExitCode.Should().Be(0, result.Error);
        result.Error.Should().Contain("WRN").And.MatchRegex("This run trains 40 studies .*: 40 studies, 160 training and [0-9,]+ evaluation windows: about [0-9]+ s here");
        result.Out.Should().Contain("full lr=4E-05").And.Contain("full lr=0.0004");
    }
}
