using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Cli;

/// <summary>--dry-run runs every check the real run runs, and the real run finishes them before it creates the run folder.</summary>
[Collection(SerialCollection.Name)]
public sealed class DryRunCheckTests
{
    /// <summary>The dry run and the real run both refuse, with the same message, and no run folder appears.</summary>
    private static async Task<string> BothRefuse(TemporaryFolder folder, string recipe)
    {
        var dry = await PeftqaCli.Run("run", recipe, "--dry-run", "--device", "cpu");
        var real = await PeftqaCli.Run("run", recipe, "--out", folder.Combine("run"), "--device", "cpu");
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

    [Fact]
    [Trait("Category", "Slow")]
    public async Task The_dry_run_refuses_the_folders_and_resumes_the_real_run_refuses()
    {
        using var folder = new TemporaryFolder();
        var (recipe, runFolder, _) = await TinyRuns.Finished(folder);

        var usedOut = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--dry-run", "--device", "cpu");
        usedOut.ExitCode.Should().Be(2, "a new run never reuses a folder that holds one");
        usedOut.Error.Should().Contain($"{runFolder}: already holds a run");

        var edited = folder.WriteFile("edited.json", File.ReadAllText(recipe).Replace("\"seed\": 7", "\"seed\": 8"));
        var editedResume = await PeftqaCli.Run("run", edited, "--out", runFolder, "--resume", "--dry-run", "--device", "cpu");
        editedResume.ExitCode.Should().Be(2);
        editedResume.Error.Should().Contain("$.seed: 7 -> 8");
        var optionResume = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--dry-run", "--device", "cpu", "--precision", "bf16");
        optionResume.ExitCode.Should().Be(2);
        optionResume.Error.Should().Contain("--precision (sets $.training.precision)");
        (await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--dry-run", "--device", "cpu")).ExitCode.Should().Be(0, "an unchanged resume is valid");

        var file = folder.WriteFile("not-a-folder", "x");
        var outputFile = folder.WriteFile("output-file.json", File.ReadAllText(recipe).Replace("\"seed\": 7,", $"\"seed\": 7, \"output\": {System.Text.Json.JsonSerializer.Serialize(file)},"));
        var dry = await PeftqaCli.Run("run", outputFile, "--dry-run", "--device", "cpu");
        var real = await PeftqaCli.Run("run", outputFile, "--device", "cpu");
        dry.ExitCode.Should().Be(2, dry.Error);
        real.ExitCode.Should().Be(2, real.Error);
        dry.Error.Should().Contain($"{file} is a file");
        real.Error.Should().Contain($"{file} is a file");
        File.ReadAllText(file).Should().Be("x");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Two_runs_of_one_recipe_started_in_the_same_second_without_out_get_folders_of_their_own()
    {
        using var folder = new TemporaryFolder();
        var (_, model, data) = TinyRuns.Create(folder);
        var output = folder.Combine("runs");
        var recipe = folder.WriteFile("r.json", TinyRuns.SquadRecipe(model, data).Replace("\"seed\": 7,", $"\"seed\": 7, \"output\": {System.Text.Json.JsonSerializer.Serialize(output)},"));
        var stamp = DateTime.Now;
        // The folder a run started in this second would take, already taken by another run.
        foreach (var second in new[] { stamp, stamp.AddSeconds(1), stamp.AddSeconds(2) })
            File.WriteAllText(Directory.CreateDirectory(Path.Combine(output, $"tiny-squad-{second:yyyyMMdd-HHmmss}")).FullName + "/recipe.json", "{}");

        var run = await PeftqaCli.Run("run", recipe, "--device", "cpu");

        run.ExitCode.Should().Be(0, run.Error);
        var own = Directory.GetDirectories(output).Where(d => File.Exists(Path.Combine(d, "results.json"))).Should().ContainSingle().Which;
        Path.GetFileName(own).Should().MatchRegex(@"^tiny-squad-[0-9]{8}-[0-9]{6}-2$");
        File.ReadAllText(Path.Combine(own[..^2], "recipe.json")).Should().Be("{}", "the other run's folder is untouched");
        foreach (var later in Directory.GetDirectories(output).Where(d => string.CompareOrdinal(d, own) > 0)) Directory.Delete(later, recursive: true);
        var resumed = await PeftqaCli.Run("run", recipe, "--resume", "--device", "cpu");
        resumed.ExitCode.Should().Be(0, resumed.Error);
        resumed.Error.Should().Contain(own, "--resume finds the newest run, suffix included");
    }

    [Fact]
    public async Task Virtual_tokens_that_fit_the_window_but_not_its_padding_are_refused_before_any_work()
    {
        using var folder = new TemporaryFolder();
        var (_, model, data) = TinyRuns.Create(folder);
        // 108 tokens + 20 virtual tokens fit the tiny model's 128 positions, but batches are padded to 112.
        var recipe = folder.WriteFile("prompt.json", TinyRuns.SquadRecipe(model, data, """[{ "strategy": "prompt-tuning", "options": { "virtualTokens": 20 } }]""")
            .Replace("\"maxSequenceLength\": 64", "\"maxSequenceLength\": 108"));

        (await BothRefuse(folder, recipe)).Should().Contain("$.adapters[0].options.virtualTokens: 20 virtual tokens plus windows of 112 tokens exceed the model's 128 positions");
    }
}
