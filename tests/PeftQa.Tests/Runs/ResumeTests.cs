using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Runs;

/// <summary>--resume continues only the run the folder holds: the same recipe and the same inputs, or a clear refusal.</summary>
[Collection(SerialCollection.Name)]
[Trait("Category", "Slow")]
public sealed class ResumeTests
{
    private const string Lora = """[{ "strategy": "lora", "options": { "r": 16, "targetModules": ["query", "value"] } }]""";

    [Fact]
    public async Task A_killed_run_resumed_after_an_edit_that_alters_results_is_refused_by_field_and_keeps_its_recipe()
    {
        using var folder = new TemporaryFolder();
        var (recipe, model, data) = TinyRuns.Create(folder, Lora, ", \"checkpointEvery\": 5", maxSteps: 400);
        var runFolder = folder.Combine("run");
        var checkpoints = Path.Combine(runFolder, "studies", "lora", "tasks", "1-capitals", "checkpoints");
        await KillAndResumeTests.RunUntilCheckpointedThenKill(checkpoints, "run", recipe, "--out", runFolder);
        var runRecipe = File.ReadAllBytes(Path.Combine(runFolder, "recipe.json"));
        var otherData = folder.WriteFile("data/other.json", TestEnvironment.TinySquad);
        File.WriteAllText(recipe, TinyRuns.SquadRecipe(model, data, Lora.Replace("\"r\": 16", "\"r\": 4"), ", \"checkpointEvery\": 5", maxSteps: 400)
            .Replace("5e-4", "1e-3").Replace($"\"train\": \"{data}\"", $"\"train\": \"{otherData}\""));

        var edited = await KillAndResumeTests.RunToEnd("run", recipe, "--out", runFolder, "--resume");

        edited.Code.Should().Be(2, edited.Output);
        edited.Output.Should().Contain("differs from the recipe the run in").And.Contain("$.training.learningRate: 0.0005 -> 0.001")
            .And.Contain("$.adapters[0].options.r: 16 -> 4").And.Contain($"$.tasks[0].train: \"{data}\" -> \"{otherData}\"")
            .And.NotContain("   at ");
        File.ReadAllBytes(Path.Combine(runFolder, "recipe.json")).Should().Equal(runRecipe, "the run's own recipe is the reference and stays");
        Directory.GetDirectories(checkpoints, "checkpoint-*").Should().NotBeEmpty("nothing was lost");

        File.WriteAllText(recipe, TinyRuns.SquadRecipe(model, data, Lora.Replace("\"r\": 16, ", ""), ", \"checkpointEvery\": 5", maxSteps: 400).Replace("\"logEvery\": 1", "\"logEvery\": 50"));

        var harmless = await KillAndResumeTests.RunToEnd("run", recipe, "--out", runFolder, "--resume");

        harmless.Code.Should().Be(0, harmless.Output);
        harmless.Output.Should().Contain("Resume check: $.training.logEvery: 1 -> 50")
            .And.Contain("Resuming lora/capitals from").And.NotContain("options.r", "leaving r out means its default, 16, as before");
        File.ReadAllBytes(Path.Combine(runFolder, "recipe.json")).Should().Equal(runRecipe);
    }

    [Fact]
    public async Task A_data_file_changed_under_the_same_name_is_refused_on_resume()
    {
        using var folder = new TemporaryFolder();
        var (recipe, runFolder, data) = await TinyRuns.Finished(folder);
        File.WriteAllText(data, TinyRuns.Squad.Replace("It lies on the Seine.", "It lies on the Seine!"));

        var result = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("$.tasks[0].train (task 'capitals'): the data changed since the run started")
            .And.Contain("$.tasks[0].eval (task 'capitals'): the data changed since the run started");
    }

    [Fact]
    public async Task The_same_data_under_another_data_root_resumes_and_the_change_is_logged()
    {
        using var folder = new TemporaryFolder();
        var (_, model, data) = TinyRuns.Create(folder);
        var recipe = folder.WriteFile("rooted.json", TinyRuns.SquadRecipe(model, "capitals.json").Replace("\"seed\": 7,", "\"seed\": 7, \"dataRoot\": \"data\","));
        var runFolder = folder.Combine("run");
        (await PeftqaCli.Run("run", recipe, "--out", runFolder, "--device", "cpu")).ExitCode.Should().Be(0);
        TemporaryFolder.CopyFolder(folder.Combine("data"), folder.Combine("moved"));
        Directory.Delete(folder.Combine("data"), recursive: true);
        File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("\"dataRoot\": \"data\"", "\"dataRoot\": \"moved\""));

        var result = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu");

        result.ExitCode.Should().Be(0, result.Error);
        result.Error.Should().Contain("Resume check: $.dataRoot: \"data\" -> \"moved\"");
    }

    /// <summary>Removes a training field from the run folder's recipe.json, as a version from before that field wrote it.</summary>
    private static void WrittenBeforeTrainingHad(string runFolder, string field)
    {
        var runRecipe = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "recipe.json")))!;
        runRecipe["training"]!.AsObject().Remove(field);
        File.WriteAllText(Path.Combine(runFolder, "recipe.json"), runRecipe.ToJsonString());
    }

    [Fact]
    public async Task A_run_from_before_length_grouping_resumes_only_without_it()
    {
        using var folder = new TemporaryFolder();
        var (recipe, runFolder, _) = await TinyRuns.Finished(folder);
        WrittenBeforeTrainingHad(runFolder, "groupByLength");

        var grouped = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu");
        File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("\"docStride\": 16", "\"docStride\": 16, \"groupByLength\": false"));
        var plain = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu");

        grouped.ExitCode.Should().Be(2);
        grouped.Error.Should().Contain("$.training.groupByLength: false -> true");
        plain.ExitCode.Should().Be(0, plain.Error);
    }

    [Fact]
    public async Task A_run_from_before_the_hidden_dropout_setting_resumes_only_with_the_models_dropout()
    {
        using var folder = new TemporaryFolder();
        var (recipe, runFolder, _) = await TinyRuns.Finished(folder);
        WrittenBeforeTrainingHad(runFolder, "hiddenDropout");

        var newDefault = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu");
        File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("\"docStride\": 16", "\"docStride\": 16, \"hiddenDropout\": null"));
        var asBefore = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu");

        newDefault.ExitCode.Should().Be(2);
        newDefault.Error.Should().Contain("$.training.hiddenDropout: (absent) -> 0", "the earlier version used the model's dropout");
        asBefore.ExitCode.Should().Be(0, asBefore.Error);
    }

    [Fact]
    public async Task Resuming_removes_checkpoints_a_kill_during_cleanup_left_behind()
    {
        using var folder = new TemporaryFolder();
        var (recipe, runFolder, _) = await TinyRuns.Finished(folder);
        var leftover = Path.Combine(runFolder, "studies", "full", "tasks", "1-capitals", "checkpoints", "checkpoint-0000002");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "trainable.safetensors"), "as a kill between the task's end and its cleanup leaves it");
        File.Delete(Path.Combine(runFolder, "studies", "full", "result.json")); // such a kill comes before the study's result is written

        var result = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu");

        result.ExitCode.Should().Be(0, result.Error);
        Directory.Exists(Path.GetDirectoryName(leftover)).Should().BeFalse();
        result.Error.Should().Contain("left over from a finished task");
    }

    [Fact]
    public async Task A_full_disk_names_the_file_says_what_is_intact_and_shows_no_stack_trace()
    {
        using var folder = new TemporaryFolder();
        var (recipe, runFolder, _) = await TinyRuns.Finished(folder);
        var results = File.ReadAllBytes(Path.Combine(runFolder, "results.json"));
        // Writes through this link fail as on a full disk (ENOSPC from the kernel).
        File.CreateSymbolicLink(Path.Combine(runFolder, "results.json.tmp"), "/dev/full");

        var result = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu");

        result.ExitCode.Should().Be(1);
        result.Error.Should().Contain($"Disk full: No space left on device : '{Path.Combine(runFolder, "results.json.tmp")}'")
            .And.Contain("intact").And.Contain("continue with --resume").And.NotContain("   at ");
        File.ReadAllBytes(Path.Combine(runFolder, "results.json")).Should().Equal(results, "the last complete results.json stands");
    }
}
