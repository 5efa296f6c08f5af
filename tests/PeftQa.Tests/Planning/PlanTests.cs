using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Host.Studies;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Planning;

/// <summary>The plan decides every study's settings once; the baseline is measured once per run and kept.</summary>
[Collection(SerialCollection.Name)]
public sealed class PlanTests
{
    [Fact]
    public async Task The_dry_run_prints_each_studys_effective_learning_rate_and_steps_per_task()
    {
        using var folder = new TemporaryFolder();
        var (recipe, _, _) = TinyRuns.Create(folder, """[{ "strategy": "full" }, { "strategy": "lora", "learningRate": 0.003 }]""", maxSteps: 5);

        var result = await PeftqaCli.Run("run", recipe, "--dry-run", "--device", "cpu");

        result.ExitCode.Should().Be(0, result.Error);
        var rows = result.Out.Split('\n').Where(l => l.Contains("capitals")).ToList();
        rows.Should().HaveCount(2);
        rows[0].Should().Contain("│ full ").And.Contain("│ 0.0005 ").And.Contain("│ 5 ");
        rows[1].Should().Contain("│ lora ").And.Contain("│ 0.003 ").And.Contain("│ 5 ");
        result.Out.Should().NotContain("lr 0.0005", "no run-wide learning rate is printed that a study may not use");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task The_baseline_is_measured_once_kept_in_the_run_folder_and_read_back_on_resume()
    {
        using var folder = new TemporaryFolder();
        var (recipe, runFolder, _) = await TinyRuns.Finished(folder);

        var baseline = JsonSerializer.Deserialize<List<Dictionary<string, double>>>(File.ReadAllText(Path.Combine(runFolder, BaselineMeasurement.File)))!;
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!;
        var resumed = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu");

        baseline.Should().ContainSingle().Which.Should().ContainKey("f1");
        results.ToJsonString().Should().Contain($"{baseline[0]["f1"]}", "every study reports the run's baseline");
        resumed.ExitCode.Should().Be(0, resumed.Error);
        resumed.Error.Should().Contain("Baseline before training as measured when the run started");
    }
}
