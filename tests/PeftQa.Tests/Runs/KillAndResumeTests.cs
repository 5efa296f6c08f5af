using System.Diagnostics;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace PeftQa.Tests.Runs;

/// <summary>
/// A real process killed with SIGKILL in the middle of training, then resumed with --resume, must finish with exactly
/// the metrics and weights of a run that was never interrupted.
/// </summary>
[Collection(SerialCollection.Name)]
[Trait("Category", "Slow")]
public sealed class KillAndResumeTests(ITestOutputHelper output)
{
    private static string Peftqa => Path.Combine(TestEnvironment.OutputFolder, "peftqa.dll");

    public static Process Start(params string[] args) => StartWith(new Dictionary<string, string>(), args);

    /// <summary>As <see cref="Start"/>, with <paramref name="environment"/> added to the child's environment.</summary>
    public static Process StartWith(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        // A test run started as a background job ignores SIGINT, and its children inherit that (as .NET keeps it): env
        // restores the default first, so a signal test means the same however the suite was started. env execs dotnet,
        // so the child's pid is peftqa's.
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["--default-signal=INT", "dotnet", Peftqa, .. args, "--device", "cpu"]) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    public static async Task<(int Code, string Output)> RunToEnd(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Starts peftqa, SIGKILLs it as soon as <paramref name="checkpoints"/> holds a checkpoint (or after 2 minutes); its exit code.</summary>
    public static async Task<int> RunUntilCheckpointedThenKill(string checkpoints, params string[] args) => await KillOnceCheckpointed(Start(args), checkpoints);

    /// <summary>SIGKILLs <paramref name="victim"/> as soon as <paramref name="checkpoints"/> holds a checkpoint (or after 2 minutes); its exit code.</summary>
    public static async Task<int> KillOnceCheckpointed(Process victim, string checkpoints)
    {
        using var _process = victim;
        _ = victim.StandardOutput.ReadToEndAsync();
        _ = victim.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(Directory.Exists(checkpoints) && Directory.GetDirectories(checkpoints, "checkpoint-*").Length > 0) && !victim.HasExited && DateTime.UtcNow < deadline)
            await Task.Delay(5);
        victim.Kill(entireProcessTree: true);
        await victim.WaitForExitAsync();
        return victim.ExitCode;
    }

    [Fact]
    public async Task A_run_killed_mid_training_and_resumed_ends_exactly_like_an_uninterrupted_one()
    {
        using var folder = new TemporaryFolder();
        var vocab = Path.Combine(BuiltinModels.EnsureCheckpoint(ModelSources.MiniLmL6, NullLogger.Instance), "vocab.txt");
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), vocab);
        var tiny = JsonNode.Parse(EndToEndRunTests.TinyRecipe(model, maxSteps: 160, checkpointEvery: 10, folder.Combine("runs")))!;
        tiny["evaluation"]!["curve"] = new JsonObject { ["every"] = 20, ["questions"] = 10 };
        var recipe = folder.WriteFile("tiny.json", tiny.ToJsonString());

        var (referenceCode, referenceLog) = await RunToEnd("run", recipe, "--out", folder.Combine("reference"));
        referenceCode.Should().Be(0, referenceLog);

        // Start again, and SIGKILL as soon as the first task has a checkpoint but is not finished.
        var killedFolder = folder.Combine("killed");
        var checkpoints = Path.Combine(killedFolder, "studies", "full", "tasks", "1-products", "checkpoints");
        (await RunUntilCheckpointedThenKill(checkpoints, "run", recipe, "--out", killedFolder)).Should().NotBe(0, "the run was killed, not finished");
        File.Exists(Path.Combine(killedFolder, "results.json")).Should().BeFalse("the kill came before the end");
        var killedAt = Directory.GetDirectories(checkpoints, "checkpoint-*").Select(Path.GetFileName).Max();
        output.WriteLine($"killed with {killedAt} on disk");

        var (resumedCode, resumedLog) = await RunToEnd("run", recipe, "--out", killedFolder, "--resume");
        resumedCode.Should().Be(0, resumedLog);
        resumedLog.Should().Contain("Resuming full/products from");

        var reference = JsonNode.Parse(File.ReadAllText(folder.Combine("reference", "results.json")))!["studies"]![0]!;
        var resumed = JsonNode.Parse(File.ReadAllText(Path.Combine(killedFolder, "results.json")))!["studies"]![0]!;
        resumed["afterTask"]!.ToJsonString().Should().Be(reference["afterTask"]!.ToJsonString());
        resumed["baseline"]!.ToJsonString().Should().Be(reference["baseline"]!.ToJsonString());
        resumed["finalScores"]!.ToJsonString().Should().Be(reference["finalScores"]!.ToJsonString(), "the same answers give the same seeded intervals");
        resumed["finalScores"]!["f1"]!["ci95"]!.AsArray().Should().HaveCount(2);
        File.ReadAllBytes(Path.Combine(killedFolder, "studies", "full", "model", "model.safetensors"))
            .Should().Equal(File.ReadAllBytes(folder.Combine("reference", "studies", "full", "model", "model.safetensors")));
        StepsAndLosses(RunMetrics.PathOf(killedFolder, "full")).Should().Equal(StepsAndLosses(RunMetrics.PathOf(folder.Combine("reference"), "full")),
            "after resuming, metrics.jsonl reads as one uninterrupted run");
        Curve(RunMetrics.PathOf(killedFolder, "full")).Select(p => $"{p.Task} {p.Step} {p.F1}")
            .Should().Equal(Curve(RunMetrics.PathOf(folder.Combine("reference"), "full")).Select(p => $"{p.Task} {p.Step} {p.F1}"), "the learning curve too");
        Curve(RunMetrics.PathOf(killedFolder, "full")).Where(p => p.Task == "products").Select(p => p.Seconds)
            .Should().BeInAscendingOrder("training seconds carry across the resume");
    }

    private static List<(string Task, int Step, double F1, double Seconds)> Curve(string path) => File.ReadAllLines(path).Select(l => JsonNode.Parse(l)!)
        .Where(n => n["event"]?.GetValue<string>() == "curve")
        .Select(n => (n["task"]!.GetValue<string>(), n["step"]!.GetValue<int>(), n["f1"]!.GetValue<double>(), n["training_seconds"]!.GetValue<double>())).ToList();

    /// <summary>(task, step, loss) per line: timings differ between runs, the numbers must not.</summary>
    private static List<string> StepsAndLosses(string path) => File.ReadAllLines(path).Select(l => JsonNode.Parse(l)!)
        .Select(n => $"{n["task"]} {n["step"]} {n["loss"]}").ToList();
}
