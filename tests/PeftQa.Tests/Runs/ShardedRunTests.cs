using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FluentAssertions;
using PeftQa.Host.Studies;
using PeftQa.Host.Runs;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Runs;

/// <summary>
/// A recipe's studies run as shards of one run folder, then merged by peftqa report: the same results as one process,
/// no file written by two shards, a second process on the same shard stopped by the study's lock.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed partial class ShardedRunTests
{
    private static readonly string[] Measured =
        ["seconds", "examplesPerSecond", "peakMemoryBytes", "trainingSeconds", "trainingExamplesPerSecond", "secondsPerStep", "peakMemoryMegabytes"];

    /// <summary>results.json without what measures the machine (timings, memory), with the run folder's path replaced.</summary>
    private static string Comparable(string runFolder)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!;
        Strip(json);
        return json.ToJsonString().Replace(runFolder, "<run>");
    }

    private static void Strip(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            foreach (var key in Measured) obj.Remove(key);
            foreach (var child in obj.Select(p => p.Value).ToList()) Strip(child);
        }
        else if (node is JsonArray array) foreach (var child in array) Strip(child);
    }

    private static string ReportWithoutTimes(string runFolder) =>
        TrainingTime().Replace(File.ReadAllText(Path.Combine(runFolder, "report.md")), "| <time> |");

    [GeneratedRegex(@"\| [0-9][0-9.,]* (ms|s|min|h) \|")]
    private static partial Regex TrainingTime();

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Shards_merged_by_report_give_the_single_process_runs_results()
    {
        using var folder = new TemporaryFolder();
        var recipe = ClusterRecipes.FourStudies(folder);
        var single = folder.Combine("single");
        var sharded = folder.Combine("sharded");
        (await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", single)).ExitCode.Should().Be(0);

        var baseline = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", sharded, "--stage", "baseline");
        baseline.ExitCode.Should().Be(0, baseline.Error);
        File.Exists(Path.Combine(sharded, RunPreparation.FileName)).Should().BeTrue();
        Directory.Exists(Path.Combine(sharded, "studies")).Should().BeFalse("the baseline stage trains nothing");

        var second = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", sharded, "--shard", "1/2");
        second.ExitCode.Should().Be(0, second.Error);
        var partial = await PeftqaCli.Run("report", sharded);
        partial.ExitCode.Should().Be(1, "two studies have no result yet");
        partial.Error.Should().Contain("Study full seed 7 is pending").And.Contain("Study lora seed 7 is pending").And.Contain("2 of 4 studies have no result");
        var status = JsonNode.Parse((await PeftqaCli.Run("status", sharded, "--json", "--shards", "2")).Out)!;
        status["studies"]!.AsArray().Select(s => $"{s!["label"]} {s["shard"]} {s["state"]}")
            .Should().Equal("full seed 7 0 pending", "full seed 8 1 done", "lora seed 7 0 pending", "lora seed 8 1 done");

        (await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", sharded, "--shard", "0/2")).ExitCode.Should().Be(0);
        var report = await PeftqaCli.Run("report", sharded);
        report.ExitCode.Should().Be(0, report.Error);

        Comparable(sharded).Should().Be(Comparable(single), "a sharded run's merged results.json is the single-process run's, timings aside");
        ReportWithoutTimes(sharded).Should().Be(ReportWithoutTimes(single));
        File.Exists(Path.Combine(sharded, "compare.md")).Should().BeTrue();
        File.Exists(Path.Combine(sharded, StudyFolder.MetricsFile)).Should().BeFalse("shards never share a metrics file");
        foreach (var label in new[] { "full_seed_7", "full_seed_8", "lora_seed_7", "lora_seed_8" })
            File.ReadAllLines(Path.Combine(sharded, "studies", label, StudyFolder.MetricsFile)).Should().NotBeEmpty("each study logs to its own metrics.jsonl");
        Directory.GetFiles(Path.Combine(sharded, "logs")).Select(Path.GetFileName).Should().BeEquivalentTo(["baseline.json", "shard-0-of-2.json", "shard-1-of-2.json"]);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task With_a_search_the_preparation_chooses_once_and_every_shard_uses_its_choice()
    {
        using var folder = new TemporaryFolder();
        var recipe = Planning.SelectionRunTests.Recipe(folder, """[{ "strategy": "full" }, { "strategy": "lora", "learningRate": [5e-4, 5e-3] }]""",
            """{ "validationFraction": 0.3 }""");
        var single = folder.Combine("single");
        var sharded = folder.Combine("sharded");
        (await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", single)).ExitCode.Should().Be(0);

        var baseline = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", sharded, "--stage", "baseline");
        baseline.ExitCode.Should().Be(0, baseline.Error);
        baseline.Error.Should().Contain("Selection: lora uses");
        var shards = new[] { await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", sharded, "--shard", "0/2"),
                             await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", sharded, "--shard", "1/2") };
        shards.Should().OnlyContain(r => r.ExitCode == 0 && !r.Error.Contains("Selection:"), "the shards read the choice, never make it again");
        (await PeftqaCli.Run("report", sharded)).ExitCode.Should().Be(0);

        var chosen = JsonNode.Parse(File.ReadAllText(Path.Combine(sharded, RunPreparation.FileName)))!["chosen"]!["lora"]!.GetValue<string>();
        chosen.Should().Be(JsonNode.Parse(File.ReadAllText(Path.Combine(sharded, "selection.json")))!["methods"]![0]!["chosen"]!.GetValue<string>());
        Comparable(sharded).Should().Be(Comparable(single), "the same choice and the same studies as one process");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_shard_in_an_unprepared_folder_prepares_it_and_a_study_runs_alone()
    {
        using var folder = new TemporaryFolder();
        var recipe = ClusterRecipes.FourStudies(folder);
        var run = folder.Combine("run");

        var shard = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", run, "--shard", "1/4");
        shard.ExitCode.Should().Be(0, shard.Error);
        File.Exists(Path.Combine(run, "baseline.json")).Should().BeTrue("the first shard to lock the folder measures the baseline");
        var study = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", run, "--study", "lora seed 7");
        study.ExitCode.Should().Be(0, study.Error);
        study.Error.Should().NotContain("Baseline before training, task", "the baseline is read, never measured again");

        var progress = new[] { "full seed 7", "full seed 8", "lora seed 7", "lora seed 8" }.Select(l => StudyProgress.Of(run, l).State);
        progress.Should().Equal(StudyProgress.States.Pending, StudyProgress.States.Done, StudyProgress.States.Done, StudyProgress.States.Pending);
        var again = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", run, "--shard", "1/4");
        again.ExitCode.Should().Be(0);
        again.Error.Should().Contain("full seed 8: already finished", "a resubmitted shard skips what is done");
    }

    [Fact]
    public async Task A_second_process_on_the_same_shard_stops_at_the_study_lock_before_any_work()
    {
        using var folder = new TemporaryFolder();
        var recipe = ClusterRecipes.FourStudies(folder);
        var run = folder.Combine("run");
        (await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", run, "--stage", "baseline")).ExitCode.Should().Be(0);
        var studyFolder = StudyFolder.For(run, "lora seed 7");
        Directory.CreateDirectory(studyFolder);

        using (RunFolderLock.Acquire(studyFolder, what: "study 'lora seed 7'"))
        {
            StudyProgress.Of(run, "lora seed 7").State.Should().Be(StudyProgress.States.Pending, "locked but not started: queued in its process");
            var duplicate = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", run, "--shard", "0/2");
            duplicate.ExitCode.Should().Be(2);
            duplicate.Error.Should().Contain("study 'lora seed 7' is in use by peftqa process");
            File.Exists(Path.Combine(StudyFolder.For(run, "full seed 7"), StudyFolder.ResultFile)).Should().BeFalse("the locks are taken before any study starts");
            File.Exists(Path.Combine(StudyFolder.For(run, "full seed 7"), "study-state.json")).Should().BeFalse();
        }
    }

    [Fact]
    public async Task Bad_shard_options_and_another_recipes_folder_are_refused_before_any_work()
    {
        using var folder = new TemporaryFolder();
        var recipe = ClusterRecipes.FourStudies(folder);
        var run = folder.Combine("run");
        foreach (var (args, message) in new[]
                 {
                     (new[] { "--out", run, "--shard", "3/2" }, "shard 3 of 2 does not exist"),
                     (new[] { "--out", run, "--shard", "-1/2" }, "shard -1 of 2 does not exist"),
                     (new[] { "--out", run, "--shard", "0/5" }, "the plan has 4 studies, so shards 4 to 4 would have none"),
                     (new[] { "--shard", "0/2" }, "--shard needs --out"),
                     (new[] { "--out", run, "--shard", "0/2", "--study", "full seed 7" }, "--shard and --study contradict"),
                     (new[] { "--out", run, "--study", "bitfit" }, "--study bitfit: no such study; the plan's studies are 'full seed 7', 'full seed 8'"),
                     (new[] { "--out", run, "--shard", "0/2", "--overwrite" }, "--overwrite cannot be given to --shard"),
                     (new[] { "--out", run, "--stage", "evaluate" }, "evaluate"),
                 })
        {
            var result = await PeftqaCli.Run(["run", recipe, "--device", "cpu", .. args]);
            result.ExitCode.Should().Be(2, string.Join(' ', args));
            result.Error.Should().Contain(message);
        }
        Directory.Exists(run).Should().BeFalse("nothing was created");

        (await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", run, "--stage", "baseline")).ExitCode.Should().Be(0);
        using var otherFolder = new TemporaryFolder();
        var other = ClusterRecipes.FourStudies(otherFolder, "another-recipe");
        File.WriteAllText(other, File.ReadAllText(other).Replace("\"maxSteps\": 2", "\"maxSteps\": 3"));
        var owned = await PeftqaCli.Run("run", other, "--device", "cpu", "--out", run, "--shard", "0/2");
        owned.ExitCode.Should().Be(2);
        owned.Error.Should().Contain("differs from the recipe the run").And.Contain("$.training.maxSteps");
        (await PeftqaCli.Run("report", folder.Combine("data"))).Error.Should().Contain("holds no recipe.json, so it is not a run folder");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Status_says_why_a_study_stopped_failed_or_runs()
    {
        using var folder = new TemporaryFolder();
        var recipe = ClusterRecipes.FourStudies(folder);
        var run = folder.Combine("run");
        (await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", run, "--study", "full seed 8")).ExitCode.Should().Be(0);

        // A process that died holding a study: its holder file stays, naming its log, whose last line status shows.
        var log = folder.WriteFile("shard.json", """{"@t":"2026-11-28T03:00:00Z","@mt":"step {Step}/{Steps} loss {Loss:F4}","Step":3,"Steps":9,"Loss":4.5}""" + "\n");
        var killed = StudyFolder.For(run, "full seed 7");
        Directory.CreateDirectory(killed);
        File.WriteAllText(Path.Combine(killed, "study-state.json"), "{}");
        File.WriteAllText(Path.Combine(killed, RunFolderLock.HolderFile), new JsonObject { ["pid"] = 99999, ["host"] = "node7", ["log"] = log }.ToJsonString());
        Directory.CreateDirectory(StudyFolder.For(run, "lora seed 7"));
        StudyFolder.SaveFailure(run, "lora seed 7", "OutOfMemoryException: out of memory");

        // A study another process is training: its lock held, its state saved, its steps in its own metrics.jsonl.
        var running = StudyFolder.For(run, "lora seed 8");
        Directory.CreateDirectory(running);
        File.WriteAllText(Path.Combine(running, "study-state.json"), "{}");
        File.WriteAllText(Path.Combine(running, StudyFolder.MetricsFile), """{"study":"lora seed 8","task":"capitals","step":1,"loss":3.5}""" + "\n");
        using var held = RunFolderLock.Acquire(running, what: "study 'lora seed 8'");

        var table = await PeftqaCli.Run("status", run);
        table.ExitCode.Should().Be(0, table.Error);
        table.Out.Should().Contain("prepared (baseline measured)").And.Contain("1 running, 1 done, 1 failed, 1 stopped of 4 studies");
        var studies = JsonNode.Parse((await PeftqaCli.Run("status", run, "--json")).Out)!["studies"]!.AsArray()
            .ToDictionary(s => s!["label"]!.GetValue<string>(), s => $"{s!["state"]}: {s["detail"]}");
        studies["full seed 7"].Should().StartWith("stopped").And.Contain("node7, pid 99999").And.Contain("last log line: 2026-11-28T03:00:00Z Information: step 3/9 loss 4.5");
        studies["full seed 8"].Should().StartWith("done").And.Contain("f1");
        studies["lora seed 7"].Should().StartWith("failed").And.Contain("OutOfMemoryException: out of memory");
        studies["lora seed 8"].Should().StartWith("running").And.Contain($"{Environment.MachineName}, pid {Environment.ProcessId}").And.Contain("task capitals, step 1, loss 3.5");
    }

    [Fact]
    public void A_damaged_result_shows_as_failed_with_the_file_named_rather_than_stopping_status()
    {
        using var folder = new TemporaryFolder();
        Directory.CreateDirectory(StudyFolder.For(folder.Path, "lora"));
        var result = Path.Combine(StudyFolder.For(folder.Path, "lora"), StudyFolder.ResultFile);
        File.WriteAllText(result, "{\"Label\": ");

        var progress = StudyProgress.Of(folder.Path, "lora");

        progress.State.Should().Be(StudyProgress.States.Failed);
        progress.Detail.Should().Contain($"{result}: the study's result is damaged");
    }
}
