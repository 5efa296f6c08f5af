using FluentAssertions;
using PeftQa.Host.Runs;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Runs;

/// <summary>A run folder belongs to one run at a time, and a finished run is never overwritten or appended to by accident.</summary>
[Collection(SerialCollection.Name)]
public sealed class RunFolderTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_second_run_into_a_folder_in_use_exits_2_naming_the_holder_and_the_lock_ends_with_its_process()
    {
        using var folder = new TemporaryFolder();
        var (recipe, _, _) = TinyRuns.Create(folder, maxSteps: 100_000);
        var runFolder = folder.Combine("run");

        using var holder = KillAndResumeTests.Start("run", recipe, "--out", runFolder);
        _ = holder.StandardOutput.ReadToEndAsync();
        _ = holder.StandardError.ReadToEndAsync();
        try
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!File.Exists(RunMetrics.PathOf(runFolder, "full")) && !holder.HasExited && DateTime.UtcNow < deadline) await Task.Delay(20);
            holder.HasExited.Should().BeFalse("the first run trains for a long time");

            var second = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--device", "cpu");
            var resumed = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu");

            second.ExitCode.Should().Be(2, second.Error);
            second.Error.Should().Contain($"{runFolder}: the run folder is in use by peftqa process {holder.Id} on {Environment.MachineName}");
            resumed.ExitCode.Should().Be(2, resumed.Error);
            resumed.Error.Should().Contain($"in use by peftqa process {holder.Id}");
            File.ReadAllLines(Path.Combine(runFolder, "log.json")).Should().NotContain(l => l.Contains("resuming"), "the refused runs wrote nothing into the folder");
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync();
        }
        using (RunFolder.Open(runFolder, RunFolderMode.Resume)) { } // the kernel released the killed process's lock
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_new_run_into_a_finished_run_folder_is_refused_and_overwrite_moves_the_old_run_aside()
    {
        using var folder = new TemporaryFolder();
        var (recipe, runFolder, _) = await TinyRuns.Finished(folder);
        var results = File.ReadAllBytes(Path.Combine(runFolder, "results.json"));
        var metrics = File.ReadAllLines(RunMetrics.PathOf(runFolder, "full"));

        var again = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--device", "cpu");

        again.ExitCode.Should().Be(2);
        again.Error.Should().Contain($"{runFolder}: already holds a run (").And.Contain("continue it with --resume").And.Contain("--overwrite");
        File.ReadAllBytes(Path.Combine(runFolder, "results.json")).Should().Equal(results);
        File.ReadAllLines(RunMetrics.PathOf(runFolder, "full")).Should().Equal(metrics);

        var overwritten = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--overwrite", "--device", "cpu");

        overwritten.ExitCode.Should().Be(0, overwritten.Error);
        var aside = Directory.GetDirectories(folder.Path, "run.replaced-*").Should().ContainSingle().Subject;
        overwritten.Error.Should().Contain($"moved to {aside}");
        File.ReadAllBytes(Path.Combine(aside, "results.json")).Should().Equal(results, "the old run is kept whole beside the new one");
        File.ReadAllLines(RunMetrics.PathOf(runFolder, "full")).Should().HaveCount(metrics.Length, "the new run's metrics start afresh");
    }

    [Fact]
    public async Task A_folder_with_other_contents_is_not_used_and_an_unwritable_out_is_refused_before_any_work()
    {
        using var folder = new TemporaryFolder();
        var (recipe, _, _) = TinyRuns.Create(folder);
        folder.WriteFile("notes/todo.txt", "mine");
        var file = folder.WriteFile("a-file", "");

        var occupied = await PeftqaCli.Run("run", recipe, "--out", folder.Combine("notes"), "--device", "cpu");
        var underFile = await PeftqaCli.Run("run", recipe, "--out", Path.Combine(file, "run"), "--device", "cpu");
        var resumeNothing = await PeftqaCli.Run("run", recipe, "--out", folder.Combine("notes"), "--resume", "--device", "cpu");

        occupied.ExitCode.Should().Be(2);
        occupied.Error.Should().Contain($"{folder.Combine("notes")}: is not empty (todo.txt)");
        underFile.ExitCode.Should().Be(2);
        underFile.Error.Should().Contain("is a file (check the recipe's output or --out)").And.NotContain("   at ");
        resumeNothing.ExitCode.Should().Be(2);
        resumeNothing.Error.Should().Contain("holds no recipe.json, so it is not a run folder");
        File.ReadAllText(folder.Combine("notes", "todo.txt")).Should().Be("mine");
        Directory.GetFileSystemEntries(folder.Combine("notes")).Select(Path.GetFileName).Should().BeEquivalentTo(["todo.txt"], "a refused run leaves nothing behind");
    }

    [Fact]
    public async Task Study_labels_that_would_share_a_folder_or_leave_the_run_folder_are_refused_before_any_work()
    {
        using var folder = new TemporaryFolder();
        var (_, model, data) = TinyRuns.Create(folder);
        var clash = folder.WriteFile("clash.json", TinyRuns.SquadRecipe(model, data,
            """[{ "strategy": "full", "label": "x/y" }, { "strategy": "lora", "label": "x_y" }, { "strategy": "lora", "label": ".." }]"""));

        var result = await PeftqaCli.Run("run", clash, "--out", folder.Combine("run"), "--device", "cpu");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("$.adapters[1]: study label 'x_y' and 'x/y' ($.adapters[0]) would both be written to the folder 'x_y'")
            .And.Contain("$.adapters[2]: study label '..' cannot be a folder name");
        Directory.Exists(folder.Combine("run")).Should().BeFalse();
    }

    [Fact]
    public void Study_labels_made_of_two_labels_may_not_come_out_equal()
    {
        var load = () => Host.Recipes.RecipeLoader.Parse("""
            { "name": "r", "tasks": [{ "name": "t", "train": "a.json", "eval": "a.json" }],
              "adapters": [{ "strategy": "lora", "label": "a+b" }, { "strategy": "lora", "label": "a" }],
              "continual": [{ "strategy": "naive", "label": "c" }, { "strategy": "replay", "label": "b+c" }] }
            """, "x.json");

        load.Should().Throw<Host.Foundation.BadInputException>().Which.Problems.Should().ContainSingle().Which.Should()
            .Be("x.json: $.adapters[1] with $.continual[1]: study label 'a+b+c' is also the label of $.adapters[0] with $.continual[0]; both would be written to the folder 'a_b_c'; give one a different label");
    }
}
