using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FluentAssertions;
using PeftQa.Host.Cli;
using PeftQa.Host.Reporting;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Cli;

/// <summary>
/// What a hostile probe of the evaluation and model commands found: each bad input exits 2 with one line naming the
/// option, before any work; offsets are SQuAD's code points.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed partial class ModelCommandProbeTests
{
    /// <summary>An emoji (outside the Basic Multilingual Plane: two UTF-16 units, one code point) before every answer.</summary>
    private const string EmojiContext = "\U0001F600 Paris is the capital of France.";

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_prompt_adapter_whose_virtual_tokens_overflow_the_positions_is_refused_naming_max_length_and_the_limit()
    {
        using var folder = new TemporaryFolder();
        var (model, adapter, data) = await PromptTuned(folder, virtualTokens: 20);
        var longContext = string.Join(" ", Enumerable.Repeat("Paris is the capital of France and lies on the Seine.", 40));

        var eval = await PeftqaCli.Run("eval", "--model", model, "--adapter", adapter, "--data", data, "--out", folder.Combine("eval"),
            "--max-length", "128", "--doc-stride", "32", "--device", "cpu", "--precision", "fp32");
        var predict = await PeftqaCli.Run("predict", "--model", model, "--adapter", adapter, "--question", "Where is Paris?", "--context", longContext,
            "--max-length", "128", "--device", "cpu", "--precision", "fp32");
        var fits = await PeftqaCli.Run("predict", "--model", model, "--adapter", adapter, "--question", "Where is Paris?", "--context", longContext,
            "--max-length", "104", "--doc-stride", "32", "--device", "cpu", "--precision", "fp32");
        var byDefault = await PeftqaCli.Run("predict", "--model", model, "--adapter", adapter, "--question", "Where is Paris?", "--context", longContext,
            "--device", "cpu", "--precision", "fp32");

        foreach (var refused in new[] { eval, predict })
        {
            refused.ExitCode.Should().Be(2, refused.Error);
            refused.Error.Should().Contain("--max-length 128: the adapter prepends 20 virtual tokens and the model has 128 position embeddings " +
                                           "(max_position_embeddings), so a window holds at most 104 tokens (padded to a multiple of 8)").And.NotContain("   at ");
        }
        File.Exists(folder.Combine("eval", "predictions.json")).Should().BeFalse("the limit is checked before any work");
        fits.ExitCode.Should().Be(0, fits.Error);
        longContext.Should().Contain(fits.Out.Split('\n')[0]);
        byDefault.ExitCode.Should().Be(0, "without --max-length, predict's windows are cut to what the model and adapter can encode: " + byDefault.Error);
    }

    [Fact]
    public async Task Predict_refuses_an_empty_or_blank_question_or_context_naming_the_option()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);

        var noQuestion = await PeftqaCli.Run("predict", "--model", model, "--question", "  ", "--context", "Paris is the capital of France.", "--device", "cpu");
        var noContext = await PeftqaCli.Run("predict", "--model", model, "--question", "Capital?", "--context", "", "--device", "cpu");
        var output = new StringWriter();
        var error = new StringWriter();
        var input = new StringReader("""
            {"id": "blank", "question": " ", "context": "Paris is the capital of France."}
            {"id": "empty", "question": "Capital?", "context": ""}
            {"id": "good", "question": "Capital?", "context": "Paris is the capital of France."}
            """);
        int lines = await PeftQaCommandLine.RunAsync(["predict", "--model", model, "--device", "cpu"], new CliConsole(output, error, false, input));

        noQuestion.ExitCode.Should().Be(2);
        noQuestion.Error.Should().Contain("--question: is empty");
        noContext.ExitCode.Should().Be(2);
        noContext.Error.Should().Contain("--context: is empty");
        lines.Should().Be(2);
        error.ToString().Should().Contain("standard input line 1: \"question\" is empty").And.Contain("standard input line 2: \"context\" is empty");
        output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["id"]!.GetValue<string>()).Should().Equal("good");
    }

    [Fact]
    public async Task Predict_gives_answer_offsets_in_code_points_as_squad_counts_them()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);
        var output = new StringWriter();
        var input = new StringReader($$"""{"id": "x", "question": "What is the capital of France?", "context": "{{EmojiContext}}"}""");

        var single = await PeftqaCli.Run("predict", "--model", model, "--question", "What is the capital of France?", "--context", EmojiContext, "--device", "cpu", "--precision", "fp32");
        int code = await PeftQaCommandLine.RunAsync(["predict", "--model", model, "--device", "cpu", "--precision", "fp32"], new CliConsole(output, new StringWriter(), false, input));

        single.ExitCode.Should().Be(0, single.Error);
        var lines = single.Out.Split('\n');
        var characters = Characters().Match(lines[1]);
        characters.Success.Should().BeTrue(lines[1]);
        CodePoints(EmojiContext, int.Parse(characters.Groups[1].Value), int.Parse(characters.Groups[2].Value)).Should().Be(lines[0]);
        code.Should().Be(0);
        var answer = JsonNode.Parse(output.ToString())!;
        CodePoints(EmojiContext, answer["start"]!.GetValue<int>(), answer["end"]!.GetValue<int>()).Should().Be(answer["answer"]!.GetValue<string>());
    }

    [Fact]
    public async Task Data_check_names_answer_offsets_in_code_points()
    {
        using var folder = new TemporaryFolder();
        var data = folder.WriteFile("data.json", $$"""
            {"version": "1.1", "data": [{"title": "t", "paragraphs": [{"context": "{{EmojiContext}}",
              "qas": [{"id": "moved", "question": "Capital?", "answers": [{"text": "Lyon", "answer_start": 2}]},
                      {"id": "outside", "question": "Capital?", "answers": [{"text": "Paris", "answer_start": 100}]}]}]}]}
            """);

        var result = await PeftqaCli.Run("data", "check", data);

        result.ExitCode.Should().Be(0, result.Error);
        result.Out.Should().Contain("moved: answer \"Lyon\" does not match the context at 2 (\"Pari\")")
            .And.Contain($"outside: answer \"Paris\" at 100 lies outside its context ({EmojiContext.EnumerateRunes().Count()} characters)");
    }

    [Fact]
    public async Task Eval_refuses_max_examples_below_one_naming_the_option()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);
        var data = folder.WriteFile("data.json", TinyRuns.Squad);

        var result = await PeftqaCli.Run("eval", "--model", model, "--data", data, "--out", folder.Combine("eval"), "--max-examples", "0", "--device", "cpu");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("--max-examples 0: expected at least 1").And.NotContain(data);
    }

    [Fact]
    public async Task Schema_out_a_folder_is_refused_naming_the_option()
    {
        using var folder = new TemporaryFolder();

        var result = await PeftqaCli.Run("schema", "--out", folder.Path);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain($"--out {folder.Path}: is a folder; give the schema file's name, for example {Path.Combine(folder.Path, "recipe.schema.json")}")
            .And.NotContain("   at ");
    }

    [Fact]
    public async Task Run_of_a_folder_says_it_is_a_folder_and_suggests_its_recipe()
    {
        using var folder = new TemporaryFolder();
        var runFolder = folder.Combine("run");
        folder.WriteFile("run/recipe.json", "{}");
        var empty = Directory.CreateDirectory(folder.Combine("empty")).FullName;

        var run = await PeftqaCli.Run("run", runFolder);
        var emptyRun = await PeftqaCli.Run("run", empty);

        run.ExitCode.Should().Be(2);
        run.Error.Should().Contain($"{runFolder}: is a folder, not a recipe file").And.Contain($"peftqa run {Path.Combine(runFolder, "recipe.json")}")
            .And.Contain("--resume").And.NotContain("not found");
        emptyRun.ExitCode.Should().Be(2);
        emptyRun.Error.Should().Contain($"{empty}: is a folder, not a recipe file").And.NotContain("recipe.json");
    }

    [Fact]
    public async Task Report_says_whether_a_run_folder_is_missing_or_a_file()
    {
        using var folder = new TemporaryFolder();
        var missing = folder.Combine("no-such-run");
        var file = folder.WriteFile("results.json", "{}");

        var absent = await PeftqaCli.Run("report", missing);
        var aFile = await PeftqaCli.Run("report", file);

        absent.ExitCode.Should().Be(2);
        absent.Error.Should().Contain($"{missing}: does not exist").And.NotContain("holds no");
        aFile.ExitCode.Should().Be(2);
        aFile.Error.Should().Contain($"{file}: is a file, not a run folder").And.NotContain("holds no");
    }

    [GeneratedRegex(@"characters (\d+)-(\d+)")]
    private static partial Regex Characters();

    /// <summary>The text between two code-point offsets, as Python's context[start:end] gives it.</summary>
    private static string CodePoints(string text, int start, int end) => string.Concat(text.EnumerateRunes().Skip(start).Take(end - start));

    /// <summary>The tiny model, a prompt-tuning adapter trained on it for two steps, and the data it trained on.</summary>
    private static async Task<(string Model, string Adapter, string Data)> PromptTuned(TemporaryFolder folder, int virtualTokens)
    {
        var (recipe, model, data) = TinyRuns.Create(folder, $$"""[{ "strategy": "prompt-tuning", "options": { "virtualTokens": {{virtualTokens}}, "init": "random" } }]""");
        var run = await PeftqaCli.Run("run", recipe, "--out", folder.Combine("run"), "--device", "cpu");
        if (run.ExitCode != 0) throw new InvalidOperationException(run.Error);
        var results = JsonNode.Parse(File.ReadAllText(folder.Combine("run", "results.json")))!;
        return (model, results["studies"]![0]!["adapterFolder"]!.GetValue<string>(), data);
    }
}
