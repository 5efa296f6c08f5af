using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Runs;

/// <summary>
/// A diverging loss, a truncated checkpoint and a damaged study-state.json end the command with one line that names
/// the file (or the step) and says what to do: never a stack trace.
/// </summary>
[Collection(SerialCollection.Name)]
[Trait("Category", "Slow")]
public sealed class DamagedFilesTests
{
    [Fact]
    public async Task A_diverging_loss_ends_the_run_with_one_line_and_no_stack_trace()
    {
        using var folder = new TemporaryFolder();
        var (recipe, _, _) = TinyRuns.Create(folder, maxSteps: 8);
        var json = JsonNode.Parse(File.ReadAllText(recipe))!;
        json["training"]!["learningRate"] = 1e30;
        json["training"]!["maxGradNorm"] = 0;
        json["training"]!["checkpointEvery"] = 1;
        File.WriteAllText(recipe, json.ToJsonString());

        var result = await PeftqaCli.Run("run", recipe, "--out", folder.Combine("run"), "--device", "cpu", "--precision", "fp32");

        result.ExitCode.Should().Be(1);
        result.Error.Should().Contain("the loss became").And.Contain("Lower the learning rate").And.NotContain("   at ", "no stack trace");
        File.ReadAllText(folder.Combine("run", "studies", "full", "failure.json")).Should().Contain("the loss became");
    }

    [Fact]
    public async Task A_truncated_checkpoint_is_named_with_what_to_do()
    {
        using var folder = new TemporaryFolder();
        var (recipe, _, _) = TinyRuns.Create(folder, maxSteps: 200, training: """, "checkpointEvery": 2""");
        var runFolder = folder.Combine("run");
        var checkpoints = Path.Combine(runFolder, "studies", "full", "tasks", "1-capitals", "checkpoints");
        (await KillAndResumeTests.RunUntilCheckpointedThenKill(checkpoints, "run", recipe, "--out", runFolder)).Should().NotBe(0);
        var checkpoint = Directory.GetDirectories(checkpoints, "checkpoint-*").Order(StringComparer.Ordinal).Last();
        var weights = Path.Combine(checkpoint, "trainable.safetensors");
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..100]);

        var resumed = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu");

        resumed.ExitCode.Should().Be(2);
        resumed.Error.Should().Contain($"{checkpoint}: cannot be loaded").And.Contain("delete that folder and run --resume again").And.NotContain("   at ");
    }

    [Fact]
    public async Task A_damaged_study_state_is_named_with_what_to_do()
    {
        using var folder = new TemporaryFolder();
        var (recipe, runFolder, _) = await TinyRuns.Finished(folder);
        var state = Path.Combine(runFolder, "studies", "full", "study-state.json");
        File.Delete(Path.Combine(runFolder, "studies", "full", "result.json"));
        File.WriteAllText(state, File.ReadAllText(state)[..20]);

        var resumed = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu");

        resumed.ExitCode.Should().Be(2);
        resumed.Error.Should().Contain($"{state}: damaged").And.Contain("delete the study's folder").And.NotContain("   at ");
    }
}
