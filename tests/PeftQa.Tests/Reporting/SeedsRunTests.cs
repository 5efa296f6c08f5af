using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Reporting;

/// <summary><c>seeds: [..]</c>: every configuration runs once per seed, compared seed by seed, summarised across seeds.</summary>
[Collection(SerialCollection.Name)]
[Trait("Category", "Slow")]
public sealed class SeedsRunTests
{
    [Fact]
    public async Task Each_configuration_runs_once_per_seed_and_reports_the_mean_and_standard_deviation()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), TinyRuns.Vocabulary);
        var data = folder.WriteFile("capitals.json", TinyRuns.Squad);
        var recipe = JsonNode.Parse(TinyRuns.SquadRecipe(model, data, """[{ "strategy": "full" }, { "strategy": "lora", "options": { "r": 2 } }]""", maxSteps: 3))!;
        recipe["seeds"] = new JsonArray(11, 12);
        var path = folder.WriteFile("seeds.json", recipe.ToJsonString());

        var plan = await PeftqaCli.Run("run", path, "--device", "cpu", "--dry-run");
        var run = await PeftqaCli.Run("run", path, "--device", "cpu", "--out", folder.Combine("run"));

        plan.ExitCode.Should().Be(0, plan.Error);
        plan.Out.Should().Contain("full seed 11").And.Contain("lora seed 12");
        run.ExitCode.Should().Be(0, run.Error);
        var results = JsonNode.Parse(File.ReadAllText(folder.Combine("run", "results.json")))!;
        var studies = results["studies"]!.AsArray();
        studies.Select(s => s!["label"]!.GetValue<string>()).Should().Equal("full seed 11", "full seed 12", "lora seed 11", "lora seed 12");
        studies.Select(s => s!["seed"]!.GetValue<int>()).Should().Equal(11, 12, 11, 12);
        var losses = RunMetrics.Lines(folder.Combine("run")).Select(l => JsonNode.Parse(l)!)
            .Where(n => n["loss"] is not null && n["step"]!.GetValue<int>() == 3).ToDictionary(n => n["study"]!.GetValue<string>(), n => n["loss"]!.GetValue<double>());
        losses["full seed 11"].Should().NotBe(losses["full seed 12"], "the seed changes initialisation and data order");

        results["reference"]!.GetValue<string>().Should().Be("full");
        studies[2]!["differenceFromReference"]!["f1"]!["mean"]!.GetValue<double>().Should().BeApproximately(
            studies[2]!["finalScores"]!["f1"]!["mean"]!.GetValue<double>() - studies[0]!["finalScores"]!["f1"]!["mean"]!.GetValue<double>(), 1e-9,
            "lora seed 11 is compared with full seed 11");
        var lora = results["acrossSeeds"]!.AsArray().Single(s => s!["configuration"]!.GetValue<string>() == "lora" && s["metric"]!.GetValue<string>() == "f1")!;
        var values = new[] { studies[2]!, studies[3]! }.Select(s => s["finalScores"]!["f1"]!["mean"]!.GetValue<double>()).ToArray();
        lora["values"]!.AsArray().Select(v => v!.GetValue<double>()).Should().Equal(values);
        lora["mean"]!.GetValue<double>().Should().BeApproximately(values.Average(), 1e-9);
        lora["sd"]!.GetValue<double>().Should().BeApproximately(Math.Abs(values[0] - values[1]) / Math.Sqrt(2), 1e-9, "the sample sd of two values");
        File.ReadAllText(folder.Combine("run", "compare.md")).Should().Contain("Across seeds").And.Contain("| lora | 11, 12 |");
        JsonNode.Parse(File.ReadAllText(folder.Combine("run", "compare.json")))!.AsArray().Select(r => $"{r!["configuration"]} {r["seed"]}")
            .Should().Equal("full 11", "full 12", "lora 11", "lora 12");
        File.ReadAllText(folder.Combine("run", "report.md")).Should().Contain("Across seeds");

        var rebuilt = await PeftqaCli.Run("compare", folder.Combine("run"), "--reference", "lora", "--out", folder.Combine("rebuilt"));
        rebuilt.ExitCode.Should().Be(0, rebuilt.Error);
        File.ReadAllText(folder.Combine("rebuilt", "compare.md")).Should().Contain("| full seed 11 (full) | lora seed 11 |", "a configuration names the reference, paired seed by seed");
    }
}
