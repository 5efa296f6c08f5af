using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Tests.Runs;
using PeftQa.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace PeftQa.Tests.Training;

/// <summary>
/// SIGTERM (a scheduler's time limit) and SIGINT (Ctrl-C) sent to a real peftqa process mid-training: it stops at the
/// next step, saves a checkpoint there, records failure.json and a log line naming the signal, exits 128 + n, and
/// <c>--resume</c> ends exactly as an uninterrupted run.
/// </summary>
[Collection(SerialCollection.Name)]
[Trait("Category", "Slow")]
public sealed class SignalTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("SIGTERM", 15)]
    [InlineData("SIGINT", 2)]
    public async Task A_signal_mid_training_stops_at_a_checkpoint_says_why_and_resumes_exactly(string name, int number)
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), TinyRuns.Vocabulary);
        // No periodic checkpoint before the end of a task: the one the signal writes is the only one to resume from.
        var recipe = folder.WriteFile("tiny.json", EndToEndRunTests.TinyRecipe(model, maxSteps: 60, checkpointEvery: 1000, folder.Combine("runs")));
        var (referenceCode, referenceLog) = await KillAndResumeTests.RunToEnd("run", recipe, "--out", folder.Combine("reference"), "--precision", "fp32");
        referenceCode.Should().Be(0, referenceLog);

        var stopped = folder.Combine("stopped");
        using (var victim = KillAndResumeTests.Start("run", recipe, "--out", stopped, "--precision", "fp32"))
        {
            var stderr = victim.StandardError.ReadToEndAsync();
            _ = victim.StandardOutput.ReadToEndAsync();
            await WaitForLoggedStep(RunMetrics.PathOf(stopped, "full"), atLeast: 6, victim);
            Kill(victim.Id, number).Should().Be(0, "the signal was sent");
            (await Task.WhenAny(victim.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(1)))).Should().NotBeNull();
            victim.HasExited.Should().BeTrue("the process stops by itself at the next step");
            victim.ExitCode.Should().Be(128 + number);
            (await stderr).Should().Contain($"{name} received");
        }

        File.ReadAllText(Path.Combine(stopped, "log.json")).Should().Contain($"Stopped by {name}");
        var failure = JsonNode.Parse(File.ReadAllText(Path.Combine(stopped, "studies", "full", "failure.json")))!;
        failure["Message"]!.GetValue<string>().Should().StartWith($"stopped by {name}");
        var checkpoints = Directory.GetDirectories(Path.Combine(stopped, "studies", "full", "tasks", "1-products", "checkpoints"), "checkpoint-*");
        checkpoints.Should().ContainSingle("the stop saved the steps trained so far");
        output.WriteLine($"{name}: stopped with {Path.GetFileName(checkpoints[0])}");
        var status = await PeftqaCli.Run("status", stopped);
        status.Out.Should().Contain("failed").And.Contain($"stopped by {name}");

        var (resumedCode, resumedLog) = await KillAndResumeTests.RunToEnd("run", recipe, "--out", stopped, "--resume", "--precision", "fp32");
        resumedCode.Should().Be(0, resumedLog);
        resumedLog.Should().Contain($"Resuming full/products from {checkpoints[0]}");
        StepsAndLosses(stopped).Should().Equal(StepsAndLosses(folder.Combine("reference")), "every logged loss averages the same steps");
        File.ReadAllBytes(Path.Combine(stopped, "studies", "full", "model", "model.safetensors"))
            .Should().Equal(File.ReadAllBytes(folder.Combine("reference", "studies", "full", "model", "model.safetensors")));
        File.Exists(Path.Combine(stopped, "studies", "full", "failure.json")).Should().BeFalse("the finished study clears it");
    }

    private static async Task WaitForLoggedStep(string metrics, int atLeast, System.Diagnostics.Process victim)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline && !victim.HasExited)
        {
            if (File.Exists(metrics) && LoggedSteps(metrics).Any(step => step >= atLeast)) return;
            await Task.Delay(5);
        }
        throw new TimeoutException($"no step {atLeast} in {metrics}");
    }

    private static IEnumerable<int> LoggedSteps(string metrics)
    {
        using var stream = new FileStream(metrics, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Where(l => l.EndsWith('}')).Select(l => JsonNode.Parse(l)!).Where(n => n["loss"] is not null).Select(n => n["step"]!.GetValue<int>()).ToList();
    }

    private static List<string> StepsAndLosses(string runFolder) => RunMetrics.Lines(runFolder).Select(l => JsonNode.Parse(l)!)
        .Where(n => n["loss"] is not null).Select(n => $"{n["task"]} {n["step"]} {n["loss"]}").ToList();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
