using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Host.Runs;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Cli;

/// <summary>
/// peftqa submit: the Slurm scripts and their chaining (through a stand-in sbatch that records its calls), the
/// Kubernetes Indexed Job, and the refusals.
/// </summary>
[Collection(SerialCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // Slurm and the stand-in sbatch are Unix
public sealed class SubmitTests
{
    [Fact]
    public async Task Print_shows_the_baseline_the_array_and_the_report_scripts_and_creates_nothing()
    {
        using var folder = new TemporaryFolder();
        var recipe = ClusterRecipes.FourStudies(folder);
        var run = folder.Combine("run");

        var result = await PeftqaCli.Run("submit", recipe, "--slurm", "--print", "--out", run, "--partition", "gpu", "--time", "2:00:00",
            "--cpus-per-task", "4", "--gpus-per-task", "1", "--mem", "16G", "--device", "cpu");

        result.ExitCode.Should().Be(0, result.Error);
        var scripts = result.Out.Split("# " + Path.Combine(run, "slurm") + "/").Skip(1).ToDictionary(s => s[..s.IndexOf('\n')], s => s);
        scripts.Keys.Should().Equal("baseline.sbatch", "shards.sbatch", "report.sbatch");
        scripts["baseline.sbatch"].Should().Contain($"run {recipe} --out {run} --device cpu --threads \"${{SLURM_CPUS_PER_TASK}}\" --stage baseline")
            .And.Contain("#SBATCH --gpus-per-task=1").And.NotContain("--array");
        scripts["shards.sbatch"].Should().Contain("#SBATCH --array=0-3").And.Contain("#SBATCH --partition=gpu").And.Contain("#SBATCH --time=2:00:00")
            .And.Contain("#SBATCH --cpus-per-task=4").And.Contain("#SBATCH --mem=16G").And.Contain("--shard auto");
        scripts["report.sbatch"].Should().Contain($"report {run} --device cpu").And.Contain("#SBATCH --cpus-per-task=1").And.NotContain("--gpus-per-task");
        result.Out.Should().Contain("--dependency=afterok:$b").And.Contain("--dependency=afterok:$a");
        Directory.Exists(run).Should().BeFalse("--print submits and creates nothing");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Submit_pins_the_run_writes_the_scripts_and_chains_the_jobs_with_afterok()
    {
        using var folder = new TemporaryFolder();
        var recipe = ClusterRecipes.FourStudies(folder);
        var run = folder.Combine("run");
        var calls = folder.Combine("sbatch-calls.txt");
        var bin = Directory.CreateDirectory(folder.Combine("bin")).FullName;
        // A stand-in sbatch: records each call and answers as sbatch --parsable does ("id;cluster"), ids 101, 102, 103.
        File.WriteAllText(Path.Combine(bin, "sbatch"), $"#!/bin/sh\necho \"$@\" >> '{calls}'\necho \"$((100 + $(wc -l < '{calls}')));cluster\"\n");
        File.SetUnixFileMode(Path.Combine(bin, "sbatch"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", $"{bin}:{path}");
        try
        {
            var result = await PeftqaCli.Run("submit", recipe, "--slurm", "--out", run, "--shards", "2", "--cpus-per-task", "1");
            result.ExitCode.Should().Be(0, result.Error);
            result.Out.Should().Contain("baseline job 101, shard array 102 (2 tasks), report job 103").And.Contain($"run folder {run}");
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
        File.ReadAllLines(calls).Should().Equal(
            $"--parsable {run}/slurm/baseline.sbatch",
            $"--parsable --dependency=afterok:101 --kill-on-invalid-dep=yes {run}/slurm/shards.sbatch",
            $"--parsable --dependency=afterok:102 --kill-on-invalid-dep=yes {run}/slurm/report.sbatch");
        File.ReadAllText(Path.Combine(run, "slurm", "shards.sbatch")).Should().Contain("#SBATCH --array=0-1");
        File.Exists(Path.Combine(run, RunFolder.RecipeFile)).Should().BeTrue("the run is pinned when it is submitted");
        var submission = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "submission.json")))!;
        submission["shards"]!.GetValue<int>().Should().Be(2);
        submission["jobs"]!["shards"]!.GetValue<string>().Should().Be("102");
        (await PeftqaCli.Run("status", run)).Out.Should().Contain("Shard of 2").And.Contain("not prepared yet");
    }

    [Fact]
    public async Task The_Kubernetes_manifest_is_an_Indexed_Job_with_one_completion_per_shard_on_the_shared_volume()
    {
        using var folder = new TemporaryFolder();
        var recipe = ClusterRecipes.FourStudies(folder);
        var run = folder.Combine("runs", "tiny");

        var result = await PeftqaCli.Run("submit", recipe, "--kubernetes", "--print", "--out", run, "--mount", folder.Path, "--volume-claim", "peftqa-nfs",
            "--image", "registry.example/peftqa:1.2", "--cpus-per-task", "8", "--mem", "32G", "--gpus-per-task", "1");

        result.ExitCode.Should().Be(0, result.Error);
        var job = JsonNode.Parse(result.Out)!;
        job["apiVersion"]!.GetValue<string>().Should().Be("batch/v1");
        job["kind"]!.GetValue<string>().Should().Be("Job");
        job["metadata"]!["name"]!.GetValue<string>().Should().MatchRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$").And.Be("peftqa-tiny-squad");
        var spec = job["spec"]!;
        spec["completionMode"]!.GetValue<string>().Should().Be("Indexed");
        spec["completions"]!.GetValue<int>().Should().Be(4);
        spec["parallelism"]!.GetValue<int>().Should().Be(4);
        var pod = spec["template"]!["spec"]!;
        pod["restartPolicy"]!.GetValue<string>().Should().Be("Never", "an Indexed Job's pods may not restart in place");
        var container = pod["containers"]![0]!;
        container["image"]!.GetValue<string>().Should().Be("registry.example/peftqa:1.2");
        container["command"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Equal("peftqa", "run", recipe, "--out", run, "--shard", "auto");
        container["env"]!.AsArray().Select(e => $"{e!["name"]}={e["value"]}").Should().Equal($"{Shard.CountVariable}=4");
        container["resources"]!["requests"]!["cpu"]!.GetValue<string>().Should().Be("8");
        container["resources"]!["requests"]!["memory"]!.GetValue<string>().Should().Be("32Gi");
        container["resources"]!["limits"]!["nvidia.com/gpu"]!.GetValue<string>().Should().Be("1");
        container["volumeMounts"]![0]!["mountPath"]!.GetValue<string>().Should().Be(folder.Path);
        container["volumeMounts"]![0]!["name"]!.GetValue<string>().Should().Be(pod["volumes"]![0]!["name"]!.GetValue<string>());
        pod["volumes"]![0]!["persistentVolumeClaim"]!["claimName"]!.GetValue<string>().Should().Be("peftqa-nfs");
        Directory.Exists(run).Should().BeFalse();
    }

    [Fact]
    public async Task Bad_submissions_are_refused_before_any_work()
    {
        using var folder = new TemporaryFolder();
        var recipe = ClusterRecipes.FourStudies(folder);
        var run = folder.Combine("run");
        foreach (var (args, message) in new[]
                 {
                     (new[] { "--print" }, "choose the scheduler: --slurm or --kubernetes"),
                     (new[] { "--slurm", "--kubernetes", "--print" }, "choose the scheduler"),
                     (new[] { "--kubernetes" }, "--kubernetes only writes the manifest: give --print"),
                     (new[] { "--slurm", "--print", "--time", "2h" }, "--time 2h: expected minutes, MM:SS"),
                     (new[] { "--slurm", "--print", "--mem", "16GB" }, "--mem 16GB: expected a size"),
                     (new[] { "--slurm", "--print", "--cpus-per-task", "0" }, "--cpus-per-task 0: expected at least 1"),
                     (new[] { "--slurm", "--print", "--shards", "5" }, "the plan has 4 studies"),
                     (new[] { "--kubernetes", "--print", "--mount", "/nowhere" }, "is not under the shared volume's mount /nowhere"),
                     (new[] { "--kubernetes", "--print", "--mount", folder.Path, "--time", "1:00:00" }, "--partition and --time are Slurm's"),
                 })
        {
            var result = await PeftqaCli.Run(["submit", recipe, "--out", run, .. args]);
            result.ExitCode.Should().Be(2, string.Join(' ', args));
            result.Error.Should().Contain(message);
        }

        var path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", folder.Combine("empty"));
        try
        {
            var noSbatch = await PeftqaCli.Run("submit", recipe, "--slurm", "--out", run);
            noSbatch.ExitCode.Should().Be(2);
            noSbatch.Error.Should().Contain("sbatch is not on PATH");
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
        Directory.Exists(run).Should().BeFalse("nothing was created");
    }

    [Theory]
    [InlineData("UNLIMITED")]
    [InlineData("infinite")]
    [InlineData("-1")]
    [InlineData("90")]
    [InlineData("90:30")]
    [InlineData("1:30:00")]
    [InlineData("2-12")]
    [InlineData("2-12:30")]
    [InlineData("2-12:30:15")]
    public async Task Slurm_takes_every_time_format_sbatch_takes(string time)
    {
        using var folder = new TemporaryFolder();
        var recipe = ClusterRecipes.FourStudies(folder);

        var result = await PeftqaCli.Run("submit", recipe, "--slurm", "--print", "--out", folder.Combine("run"), "--time", time);

        result.ExitCode.Should().Be(0, result.Error);
        result.Out.Should().Contain($"#SBATCH --time={time}\n");
    }

    [Fact]
    public async Task Slurm_takes_memory_suffixes_in_either_case_and_a_list_of_partitions()
    {
        using var folder = new TemporaryFolder();
        var recipe = ClusterRecipes.FourStudies(folder);

        var lower = await PeftqaCli.Run("submit", recipe, "--slurm", "--print", "--out", folder.Combine("run"), "--mem", "16g", "--partition", "cpu,gpu");
        var kilobytes = await PeftqaCli.Run("submit", recipe, "--slurm", "--print", "--out", folder.Combine("run"), "--mem", "800000k");
        var pods = await PeftqaCli.Run("submit", recipe, "--kubernetes", "--print", "--out", folder.Combine("run"), "--mount", folder.Path, "--mem", "16g");

        lower.ExitCode.Should().Be(0, lower.Error);
        lower.Out.Should().Contain("#SBATCH --mem=16g\n").And.Contain("#SBATCH --partition=cpu,gpu\n");
        kilobytes.ExitCode.Should().Be(0, kilobytes.Error);
        pods.ExitCode.Should().Be(0, pods.Error);
        JsonNode.Parse(pods.Out)!["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["requests"]!["memory"]!.GetValue<string>().Should().Be("16Gi");
    }

    [Theory]
    [InlineData("--slurm")]
    [InlineData("--kubernetes")]
    public async Task An_empty_peftqa_command_is_refused(string scheduler)
    {
        using var folder = new TemporaryFolder();
        var recipe = ClusterRecipes.FourStudies(folder);
        foreach (var empty in new[] { "", "   " })
        {
            var result = await PeftqaCli.Run("submit", recipe, scheduler, "--print", "--out", folder.Combine("run"), "--mount", folder.Path, "--peftqa", empty);

            result.ExitCode.Should().Be(2, $"--peftqa '{empty}': {result.Out}");
            result.Error.Should().Contain("--peftqa: empty");
            result.Out.Should().NotContain("exec ");
        }
    }

    [Fact]
    public async Task The_log_file_directives_are_quoted_and_a_percent_in_the_run_folder_is_escaped()
    {
        using var folder = new TemporaryFolder();
        var recipe = ClusterRecipes.FourStudies(folder);
        var run = folder.Combine("runs 100% mine", "tiny");

        var result = await PeftqaCli.Run("submit", recipe, "--slurm", "--print", "--out", run);

        result.ExitCode.Should().Be(0, result.Error);
        var logs = Path.Combine(folder.Path.Replace("%", "%%"), "runs 100%% mine", "tiny", "slurm");
        result.Out.Should().Contain($"#SBATCH --output=\"{logs}/baseline-%j.out\"\n")
            .And.Contain($"#SBATCH --output=\"{logs}/shard-%a-%A.out\"\n").And.Contain($"#SBATCH --output=\"{logs}/report-%j.out\"\n")
            .And.Contain($"--out '{run}'");
    }

    [Fact]
    public async Task Kubernetes_refuses_a_data_root_or_data_file_outside_the_mounted_volume()
    {
        using var folder = new TemporaryFolder();
        using var elsewhere = new TemporaryFolder();
        var mount = folder.Combine("shared");
        var model = TinyCheckpoint.Create(Path.Combine(mount, "tiny-model"), TinyRuns.Vocabulary);
        var data = elsewhere.WriteFile("capitals.json", TinyRuns.Squad);
        var recipe = JsonNode.Parse(TinyRuns.SquadRecipe(model, "capitals.json"))!;
        recipe["dataRoot"] = elsewhere.Path;
        var withDataRoot = folder.WriteFile("shared/with-data-root.json", recipe.ToJsonString());
        var withFile = folder.WriteFile("shared/with-file.json", TinyRuns.SquadRecipe(model, data));
        string[] args = ["--kubernetes", "--print", "--mount", mount, "--out", Path.Combine(mount, "run")];

        var recipeRoot = await PeftqaCli.Run(["submit", withDataRoot, .. args]);
        var optionRoot = await PeftqaCli.Run(["submit", withFile, .. args, "--data-root", elsewhere.Path]);
        var file = await PeftqaCli.Run(["submit", withFile, .. args]);

        recipeRoot.ExitCode.Should().Be(2, recipeRoot.Out);
        recipeRoot.Error.Should().Contain($"the recipe's dataRoot {elsewhere.Path} is not under the shared volume's mount {mount}");
        optionRoot.ExitCode.Should().Be(2, optionRoot.Out);
        optionRoot.Error.Should().Contain($"the data root (--data-root or PEFTQA_DATA) {elsewhere.Path} is not under the shared volume's mount");
        file.ExitCode.Should().Be(2, file.Out);
        file.Error.Should().Contain($"$.tasks[0].train {data} is not under the shared volume's mount");
    }
}
