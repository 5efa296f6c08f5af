using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Reliability;

/// <summary>--dry-run runs every check the real run runs, and the real run finishes them before it creates the run folder.</summary>
[Collection(SerialCollection.Name)]
public sealed class DryRunCheckTests
{
    /// <summary>The dry run and the real run both refuse, with the same message, and no run folder appears.</summary>
    private static async Task<string> BothRefuse(TemporaryFolder folder, string recipe)
    {
        var dry = await Cli.Run("run", recipe, "--dry-run", "--device", "cpu");
        var real = await Cli.Run("run", recipe, "--out", folder.Combine("run"), "--device", "cpu");
        dry.ExitCode.Should().Be(2, dry.Error);
        real.ExitCode.Should().Be(2, real.Error);
        Directory.Exists(folder.Combine("run")).Should().BeFalse("the checks finish before the run folder is created");
        var dryErrors = dry.Error.Split('\n').Where(l => l.StartsWith("error:")).ToList();
        real.Error.Split('\n').Where(l => l.StartsWith("error:")).Should().Equal(dryErrors);
        return dry.Error;
    }

    [Fact]
    public async Task Truncated_and_non_utf8_data_fail_the_dry_run()
    {
        using var folder = new TemporaryFolder();
        var (recipe, _, data) = TinyRuns.Create(folder);
        File.WriteAllText(data, TinyRuns.Squad[..(TinyRuns.Squad.Length / 2)]);
        (await BothRefuse(folder, recipe)).Should().Contain($"{data}: not valid SQuAD JSON").And.Contain("truncated?");

        var bytes = System.Text.Encoding.UTF8.GetBytes(TinyRuns.Squad);
        bytes[TinyRuns.Squad.IndexOf("Seine", StringComparison.Ordinal)] = 0xFF;
        File.WriteAllBytes(data, bytes);
        (await BothRefuse(folder, recipe)).Should().Contain($"{data}: $.data[0]: the text is not valid UTF-8");
    }

    [Fact]
    public async Task Strict_data_with_a_bad_item_fails_the_dry_run()
    {
        using var folder = new TemporaryFolder();
        var (_, model, data) = TinyRuns.Create(folder);
        File.WriteAllText(data, TinyRuns.Squad.Replace("\"answer_start\": 47", "\"answer_start\": 12"));
        var recipe = folder.WriteFile("strict.json", TinyRuns.SquadRecipe(model, data).Replace("\"seed\": 7,", "\"seed\": 7, \"strictData\": true,"));

        (await BothRefuse(folder, recipe)).Should().Contain("q2: answer \"Seine\" does not match the context at 12");
    }

    [Fact]
    public async Task Truncated_or_pickle_only_weights_and_too_long_windows_fail_the_dry_run()
    {
        using var folder = new TemporaryFolder();
        var (recipe, model, data) = TinyRuns.Create(folder);
        var weights = Path.Combine(model, "model.safetensors");
        var full = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, full[..(full.Length - 100)]);
        (await BothRefuse(folder, recipe)).Should().Contain("$.model: ").And.Contain("the file is truncated");

        File.Move(weights, Path.Combine(model, "pytorch_model.bin"));
        (await BothRefuse(folder, recipe)).Should().Contain("pytorch_model.bin: pickle checkpoints can run code");

        File.Move(Path.Combine(model, "pytorch_model.bin"), weights);
        File.WriteAllBytes(weights, full);
        var tooLong = folder.WriteFile("long.json", TinyRuns.SquadRecipe(model, data).Replace("\"maxSequenceLength\": 64", "\"maxSequenceLength\": 1024"));
        (await BothRefuse(folder, tooLong)).Should().Contain("$.training.maxSequenceLength: 1024 tokens is more than the model's 128 position embeddings");
    }

    [Fact]
    public async Task A_wrong_value_type_in_a_squad_file_names_its_json_path_and_question_id()
    {
        using var folder = new TemporaryFolder();
        var (recipe, _, data) = TinyRuns.Create(folder);
        File.WriteAllText(data, TinyRuns.Squad.Replace("\"answer_start\": 47", "\"answer_start\": \"47\""));

        (await BothRefuse(folder, recipe)).Should()
            .Contain($"{data}: $.data[0].paragraphs[0].qas[1].answers[0].answer_start: expected an integer (the answer's first character), got a string (question id 'q2')")
            .And.NotContain("SquadReader+");
    }

    [Fact]
    public async Task A_folder_named_as_a_data_file_is_called_a_folder()
    {
        using var folder = new TemporaryFolder();
        var (_, model, _) = TinyRuns.Create(folder);
        Directory.CreateDirectory(folder.Combine("data", "squad"));
        var recipe = folder.WriteFile("dir.json", TinyRuns.SquadRecipe(model, folder.Combine("data", "squad")));

        (await BothRefuse(folder, recipe)).Should().Contain($"{folder.Combine("data", "squad")} is a folder; name a SQuAD-format JSON file in it");
    }
}
