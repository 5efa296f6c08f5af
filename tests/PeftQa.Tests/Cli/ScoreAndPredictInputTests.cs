using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Host.Cli;
using PeftQa.Tests.Support;
using Xunit;
using PeftQa.Host.Reporting;

namespace PeftQa.Tests.Cli;

/// <summary>score and predict on bad and good input: clear messages with the id or line, nothing half-written.</summary>
[Collection(SerialCollection.Name)]
public sealed class ScoreAndPredictInputTests(BuiltinModelFixture builtin) : IClassFixture<BuiltinModelFixture>
{
    private const string Data = """
        {"version": "1.1", "data": [{"title": "t", "paragraphs": [{"context": "Paris is the capital of France.",
          "qas": [{"id": "a", "question": "Capital?", "answers": [{"text": "Paris", "answer_start": 0}]},
                  {"id": "b", "question": "Country?", "answers": [{"text": "France", "answer_start": 24}]}]}]}]}
        """;

    [Fact]
    public async Task A_predictions_file_that_is_not_an_object_exits_2()
    {
        using var folder = new TemporaryFolder();
        var data = folder.WriteFile("data.json", Data);
        var predictions = folder.WriteFile("predictions.json", """["Paris", "France"]""");

        var result = await PeftqaCli.Run("score", "--data", data, "--predictions", predictions);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain($"{predictions}: expected a JSON object mapping question id to answer text");
    }

    [Fact]
    public async Task Missing_predictions_score_zero_and_are_named()
    {
        using var folder = new TemporaryFolder();
        var data = folder.WriteFile("data.json", Data);
        var predictions = folder.WriteFile("predictions.json", """{"a": "Paris", "zzz": "nothing"}""");

        var result = await PeftqaCli.Run("score", "--data", data, "--predictions", predictions, "--metrics", "exact_match", "f1", "rougeL");

        result.ExitCode.Should().Be(0, result.Error);
        var scores = JsonNode.Parse(result.Out)!;
        scores["exact_match"]!.GetValue<double>().Should().Be(50);
        scores["rougeL"]!.GetValue<double>().Should().Be(50);
        result.Error.Should().Contain("1 questions have no prediction and score 0").And.Contain("b").And.Contain("zzz");
    }

    [Fact]
    public async Task A_prediction_that_is_not_text_names_its_id()
    {
        using var folder = new TemporaryFolder();
        var data = folder.WriteFile("data.json", Data);
        var predictions = folder.WriteFile("predictions.json", """{"a": "Paris", "b": 3}""");

        var result = await PeftqaCli.Run("score", "--data", data, "--predictions", predictions);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("$.b: expected the answer text as a string");
    }

    [Fact]
    public async Task Predict_answers_with_a_span_of_the_context_and_reads_json_lines()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), builtin.Loaded.VocabPath);
        const string context = "Paris is the capital of France.";

        var single = await PeftqaCli.Run("predict", "--model", model, "--question", "What is the capital of France?", "--context", context, "--device", "cpu");

        single.ExitCode.Should().Be(0, single.Error);
        var lines = single.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        context.Should().Contain(lines[0]);
        lines[1].Should().StartWith("score ");

        var output = new StringWriter();
        var error = new StringWriter();
        var input = new StringReader("""
            {"id": "x1", "question": "What is the capital of France?", "context": "Paris is the capital of France."}
            not json
            {"question": "Which country?", "context": "Paris is the capital of France."}
            """);
        int code = await PeftQaCommandLine.RunAsync(["predict", "--model", model, "--device", "cpu"], new CliConsole(output, error, false, input));

        code.Should().Be(2, "one line was bad");
        error.ToString().Should().Contain("standard input line 2");
        var answers = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        answers.Select(a => a["id"]!.GetValue<string>()).Should().Equal("x1", "3");
        answers.Should().OnlyContain(a => context.Contains(a["answer"]!.GetValue<string>()));
    }
}
