using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Cli;

/// <summary>Bad input to the other verbs: exit code 2 and a message naming the file, option or id, never a stack trace, and no work thrown away.</summary>
[Collection(SerialCollection.Name)]
public sealed class ResultAndModelCommandInputTests
{
    [Fact]
    public async Task Score_names_a_question_id_given_twice()
    {
        using var folder = new TemporaryFolder();
        var data = folder.WriteFile("data.json", TinyRuns.Squad);
        var predictions = folder.WriteFile("predictions.json", """{"q1": "Paris", "q2": "Seine", "q1": "Lyon"}""");

        var result = await PeftqaCli.Run("score", "--data", data, "--predictions", predictions);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain($"{predictions}: $.q1: the question id appears more than once").And.NotContain("   at ");
    }

    [Fact]
    public async Task Compare_names_a_damaged_results_file()
    {
        using var folder = new TemporaryFolder();
        var damaged = folder.WriteFile("run-a/results.json", """{"studies": [{"label": "full", "strategy": """);
        var foreign = folder.WriteFile("run-b/results.json", """{"studies": 3}""");

        var first = await PeftqaCli.Run("compare", folder.Combine("run-a"));
        var second = await PeftqaCli.Run("compare", folder.Combine("run-b"));

        first.ExitCode.Should().Be(2);
        first.Error.Should().Contain($"{damaged}: not valid JSON at line 1").And.NotContain("   at ");
        second.ExitCode.Should().Be(2);
        second.Error.Should().Contain($"{foreign}: no \"studies\" array");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Compare_refuses_an_out_folder_it_cannot_write()
    {
        using var folder = new TemporaryFolder();
        await TinyRuns.Finished(folder);
        var file = folder.WriteFile("a-file", "");

        var result = await PeftqaCli.Run("compare", folder.Combine("run"), "--out", Path.Combine(file, "compare"));

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain($"--out {Path.Combine(file, "compare")}: cannot write there").And.NotContain("   at ");
    }

    [Fact]
    public async Task Eval_checks_its_window_options_and_its_out_folder_before_any_work()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);
        var data = folder.WriteFile("data.json", TinyRuns.Squad);
        var file = folder.WriteFile("a-file", "");

        var tooShort = await PeftqaCli.Run("eval", "--model", model, "--data", data, "--out", folder.Combine("eval"), "--max-length", "5", "--device", "cpu");
        var tooLong = await PeftqaCli.Run("eval", "--model", model, "--data", data, "--out", folder.Combine("eval"), "--max-length", "4096", "--doc-stride", "128", "--device", "cpu");
        var badOut = await PeftqaCli.Run("eval", "--model", model, "--data", data, "--out", Path.Combine(file, "eval"), "--device", "cpu");

        tooShort.ExitCode.Should().Be(2);
        tooShort.Error.Should().Contain("--max-length 5: expected at least 16 tokens");
        tooLong.ExitCode.Should().Be(2);
        tooLong.Error.Should().Contain("--max-length 4096: the model has 128 position embeddings");
        badOut.ExitCode.Should().Be(2);
        badOut.Error.Should().Contain($"--out {Path.Combine(file, "eval")}: cannot write there").And.NotContain("   at ");
        badOut.Error.Should().NotContain("questions in", "the --out check comes before the evaluation");
    }

    [Fact]
    public async Task Bench_refuses_a_length_beyond_the_model_and_an_unknown_strategy_before_measuring()
    {
        var tooLong = await PeftqaCli.Run("bench", "--length", "100000", "--device", "cpu");
        var unknown = await PeftqaCli.Run("bench", "--strategies", "lorra", "--iterations", "1", "--device", "cpu");

        tooLong.ExitCode.Should().Be(2);
        tooLong.Error.Should().Contain("--length 100000: builtin:minilm-l6 has 512 position embeddings");
        unknown.ExitCode.Should().Be(2);
        unknown.Error.Should().Contain("--strategies lorra").And.NotContain("Measuring");
    }

    [Fact]
    public async Task A_garbage_peft_adapter_config_is_named_with_its_json_error()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);
        var config = folder.WriteFile("adapter/adapter_config.json", "{ peft_type: LORA");
        folder.WriteFile("unknown/adapter_config.json", """{ "peft_type": "ADALORA" }""");

        var garbage = await PeftqaCli.Run("predict", "--model", model, "--adapter", folder.Combine("adapter"), "--question", "q?", "--context", "c.", "--device", "cpu");
        var unknown = await PeftqaCli.Run("predict", "--model", model, "--adapter", folder.Combine("unknown"), "--question", "q?", "--context", "c.", "--device", "cpu");

        garbage.ExitCode.Should().Be(2);
        garbage.Error.Should().Contain($"{config}: not valid JSON at line 1");
        unknown.ExitCode.Should().Be(2);
        unknown.Error.Should().Contain("$.peft_type: 'ADALORA' is not supported by any loaded adapter strategy");
    }
}
