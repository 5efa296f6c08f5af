using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Evaluation;
using PeftQa.Plugins.Metrics;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Evaluation;

/// <summary>
/// A question id repeated in the data: the official evaluate-v1.1.py iterates over every question in the file, so it
/// scores each occurrence against the id's one prediction. score, eval and the bootstrap do the same, and warn.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class RepeatedIdTests
{
    /// <summary>"a" twice: once about Paris, once about Berlin; one prediction can be right for only one of them.</summary>
    private const string Data = """
        {"version": "1.1", "data": [{"title": "t", "paragraphs": [
          {"context": "Paris is the capital of France.",
           "qas": [{"id": "a", "question": "What is the capital of France?", "answers": [{"text": "Paris", "answer_start": 0}]},
                   {"id": "b", "question": "Which country?", "answers": [{"text": "France", "answer_start": 24}]}]},
          {"context": "Berlin is the capital of Germany.",
           "qas": [{"id": "a", "question": "What is the capital of Germany?", "answers": [{"text": "Berlin", "answer_start": 0}]}]}]}]}
        """;

    [Fact]
    public async Task Score_counts_a_repeated_id_once_per_occurrence_as_the_official_script_does_and_names_it()
    {
        using var folder = new TemporaryFolder();
        var data = folder.WriteFile("data.json", Data);
        var predictions = folder.WriteFile("predictions.json", """{"a": "Paris", "b": "France"}""");

        var result = await PeftqaCli.Run("score", "--data", data, "--predictions", predictions);

        result.ExitCode.Should().Be(0, result.Error);
        var scores = JsonNode.Parse(result.Out)!;
        // evaluate-v1.1.py: a (Paris) right, b right, a (Berlin) wrong: 2 of 3.
        scores["exact_match"]!.GetValue<double>().Should().BeApproximately(200.0 / 3, 1e-9);
        scores["f1"]!.GetValue<double>().Should().BeApproximately(200.0 / 3, 1e-9);
        result.Error.Should().Contain("question ids occur more than once (a)");
    }

    [Fact]
    public async Task Eval_scores_every_occurrence_as_score_does_on_its_own_predictions_file()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);
        var data = folder.WriteFile("data.json", Data);
        var output = folder.Combine("eval");

        var eval = await PeftqaCli.Run("eval", "--model", model, "--data", data, "--out", output, "--metrics", "exact_match", "f1",
            "--max-length", "64", "--doc-stride", "16", "--device", "cpu", "--precision", "fp32");
        var score = await PeftqaCli.Run("score", "--data", data, "--predictions", Path.Combine(output, "predictions.json"));

        eval.ExitCode.Should().Be(0, eval.Error);
        eval.Error.Should().Contain("question ids occur more than once (a)");
        score.ExitCode.Should().Be(0, score.Error);
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")))!;
        metrics["questions"]!.GetValue<int>().Should().Be(3, "every question in the file is scored, the repeated one twice");
        JsonNode.Parse(eval.Out)!.ToJsonString().Should().Be(JsonNode.Parse(score.Out)!.ToJsonString(), "eval's scores are the official script's on its predictions.json");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_run_scores_every_occurrence_against_the_ids_one_prediction()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);
        var recipe = folder.WriteFile("recipe.json", TinyRuns.SquadRecipe(model, folder.WriteFile("data.json", Data), training: """, "precision": "fp32" """));

        var run = await PeftqaCli.Run("run", recipe, "--out", folder.Combine("run"), "--device", "cpu");

        run.ExitCode.Should().Be(0, run.Error);
        var answers = JsonNode.Parse(File.ReadAllText(folder.Combine("run", "studies", "full", "answers", "capitals.json")))!.AsArray();
        answers.Select(a => a!["id"]!.GetValue<string>()).Should().Equal("a", "b", "a");
        answers[2]!["prediction"]!.GetValue<string>().Should().Be(answers[0]!["prediction"]!.GetValue<string>(), "one id has one prediction, as in predictions.json");
    }

    [Fact]
    public void The_bootstrap_pairs_a_repeated_id_occurrence_by_occurrence()
    {
        List<AnswerPair> study = [new("a", "Paris", ["Paris"]), new("b", "France", ["France"]), new("a", "Paris", ["Berlin"])];
        List<AnswerPair> reference = [new("a", "Paris", ["Paris"]), new("b", "Spain", ["France"]), new("a", "Paris", ["Berlin"])];

        var difference = Bootstrap.Difference([study], [reference], new ExactMatchMetric(), seed: 1, resamples: 200);

        difference.Mean.Should().BeApproximately(100.0 / 3, 1e-9, "the study is right on 2 of 3, the reference on 1 of 3");
    }
}
