using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Host.Foundation;
using PeftQa.Tests.Runs;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Planning;

/// <summary>
/// Successive halving, early stopping and reuse in real runs of a tiny model: the rungs, the survivors going on from
/// their own checkpoints, a resume in the middle of a rung, the winner's weights adopted by its final study, and a
/// study that trains as an earlier one adopting that one's weights.
/// </summary>
[Collection(SerialCollection.Name)]
[Trait("Category", "Slow")]
public sealed class HalvingRunTests
{
    private const string Searched = """[{ "strategy": "full", "learningRate": [1e-4, 1e-3, 3e-3] }]""";

    /// <summary>Three learning rates for full fine-tuning, seeds 7 and 8, 9 steps, one checkpoint a step, with <paramref name="selection"/>.</summary>
    private static string Recipe(TemporaryFolder folder, string selection, string adapters = Searched, string? earlyStopping = null)
    {
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), TinyRuns.Vocabulary);
        var train = folder.WriteFile("data/train.json", SelectionRunTests.TrainingFile(10));
        var eval = folder.WriteFile("data/eval.json", TinyRuns.Squad);
        var recipe = JsonNode.Parse(TinyRuns.SquadRecipe(model, eval, adapters, maxSteps: 9))!;
        recipe["tasks"]![0]!["train"] = train;
        recipe["seeds"] = new JsonArray(7, 8);
        recipe["training"]!["checkpointEvery"] = 1;
        recipe["training"]!["precision"] = "fp32";
        if (earlyStopping is not null) recipe["training"]!["earlyStopping"] = JsonNode.Parse(earlyStopping);
        recipe["selection"] = JsonNode.Parse(selection);
        return folder.WriteFile($"recipe-{Guid.NewGuid():N}.json", recipe.ToJsonString());
    }

    private static JsonNode Json(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    private static JsonArray Studies(string runFolder) => Json(Path.Combine(runFolder, "results.json"))["studies"]!.AsArray();

    /// <summary>Windows trained by the run: every candidate's and every study's, a study that adopted weights counting none.</summary>
    private static long TrainedWindows(string runFolder)
    {
        long Sum(string folder) => Directory.Exists(folder)
            ? Directory.GetDirectories(folder).Sum(study =>
                File.ReadLines(Path.Combine(study, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!)
                    .Where(l => l["event"] is null && l["reused_from"] is null).Count() * 2L)
            : 0;
        return Sum(Path.Combine(runFolder, "selection", "studies")) + Sum(Path.Combine(runFolder, "studies"));
    }

    [Fact]
    public async Task Halving_trains_the_best_third_on_from_their_checkpoints_and_chooses_as_the_grid_does_for_less()
    {
        using var folder = new TemporaryFolder();
        var gridFolder = folder.Combine("grid");
        var halvingFolder = folder.Combine("halving");

        var grid = await PeftqaCli.Run("run", Recipe(folder, """{ "validationFraction": 0.3 }"""), "--device", "cpu", "--out", gridFolder);
        var halving = await PeftqaCli.Run("run", Recipe(folder, """{ "validationFraction": 0.3, "strategy": "halving" }"""), "--device", "cpu",
            "--out", halvingFolder);

        grid.ExitCode.Should().Be(0, grid.Error);
        halving.ExitCode.Should().Be(0, halving.Error);
        var method = Json(Path.Combine(halvingFolder, "selection.json"))["methods"]![0]!;
        var rungs = method["rungs"]!.AsArray();
        rungs.Select(r => r!["steps"]!.GetValue<int>()).Should().Equal(3, 9);
        rungs[0]!["candidates"]!.AsArray().Should().HaveCount(3);
        var winner = rungs[1]!["candidates"]!.AsArray().Should().ContainSingle().Subject!;
        string chosen = method["chosen"]!.GetValue<string>();
        winner["label"]!.GetValue<string>().Should().Be(chosen);
        var firstRung = rungs[0]!["candidates"]!.AsArray();
        double best = firstRung.Max(c => c!["validation"]!["f1"]!.GetValue<double>());
        firstRung.First(c => c!["validation"]!["f1"]!.GetValue<double>() == best)!["label"]!.GetValue<string>().Should().Be(chosen);

        var gridCandidate = Json(Path.Combine(gridFolder, "selection.json"))["methods"]![0]!["candidates"]!.AsArray()
            .Single(c => c!["label"]!.GetValue<string>() == chosen)!;
        winner["validation"]!.ToJsonString().Should().Be(gridCandidate["validation"]!.ToJsonString(),
            "the winner went on from its rung checkpoint, which trains as the grid's uninterrupted candidate");
        var losers = firstRung.Where(c => c!["label"]!.GetValue<string>() != chosen).Select(c => c!["label"]!.GetValue<string>()).ToList();
        foreach (var loser in losers)
        {
            var studyFolder = Path.Combine(halvingFolder, "selection", "studies", FolderNames.For(loser));
            File.Exists(Path.Combine(studyFolder, "result.json")).Should().BeFalse("a dropped candidate never trains its whole budget");
            Directory.Exists(Path.Combine(studyFolder, "tasks")).Should().BeFalse("its checkpoints are removed once dropped");
            Json(Path.Combine(studyFolder, "rungs.json"))["3"].Should().NotBeNull();
        }
        File.ReadAllText(Path.Combine(halvingFolder, "selection.md")).Should().Contain("Successive halving (eta 3)").And.Contain("| 2 | 9 |");

        var studies = Studies(halvingFolder);
        studies[0]!["trainingReusedFrom"]!.GetValue<string>().Should().Be(Path.Combine("selection", "studies", FolderNames.For(chosen)), "seed 7 is the candidate's seed");
        studies[1]!["trainingReusedFrom"].Should().BeNull("seed 8 trains");
        Studies(gridFolder)[0]!["finalScores"]!.ToJsonString().Should().Be(studies[0]!["finalScores"]!.ToJsonString());
        long gridWindows = TrainedWindows(gridFolder), halvingWindows = TrainedWindows(halvingFolder);
        gridWindows.Should().Be(2 * (3 * 9 + 9), "both grid runs reuse the winner for seed 7: 3 candidates and seed 8 train 9 steps of 2");
        halvingWindows.Should().Be(2 * (3 * 3 + 6 + 9));
    }

    [Fact]
    public async Task A_selection_killed_in_the_middle_of_a_rung_resumes_to_the_same_choice_and_scores()
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, """{ "validationFraction": 0.3, "strategy": "halving" }""");
        var uninterrupted = folder.Combine("uninterrupted");
        var killed = folder.Combine("killed");
        (await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", uninterrupted)).ExitCode.Should().Be(0);

        using (var victim = KillAndResumeTests.Start("run", recipe, "--out", killed))
        {
            _ = victim.StandardOutput.ReadToEndAsync();
            _ = victim.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!SecondRungStarted(killed) && !victim.HasExited && DateTime.UtcNow < deadline) await Task.Delay(5);
            victim.Kill(entireProcessTree: true);
            await victim.WaitForExitAsync();
        }
        File.Exists(Path.Combine(killed, "prepared.json")).Should().BeFalse("killed during selection");
        var resumed = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", killed, "--resume");

        resumed.ExitCode.Should().Be(0, resumed.Error);
        var rungsOf = (string run) => Json(Path.Combine(run, "selection.json"))["methods"]![0]!["rungs"]!.ToJsonString();
        rungsOf(killed).Should().Be(rungsOf(uninterrupted));
        Studies(killed).Select(s => s!["finalScores"]!.ToJsonString()).Should().Equal(Studies(uninterrupted).Select(s => s!["finalScores"]!.ToJsonString()));
    }

    /// <summary>A candidate holds a checkpoint past the first rung's step 3: the second rung is under way.</summary>
    private static bool SecondRungStarted(string runFolder)
    {
        var candidates = Path.Combine(runFolder, "selection", "studies");
        return Directory.Exists(candidates) && Directory.EnumerateDirectories(candidates, "checkpoint-*", SearchOption.AllDirectories)
            .Any(c => int.TryParse(Path.GetFileName(c)["checkpoint-".Length..], out int step) && step is > 3 and < 9);
    }

    [Fact]
    public async Task Early_stopping_inside_halving_ends_candidates_and_studies_where_patience_runs_out()
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, """{ "validationFraction": 0.3, "strategy": "halving", "minSteps": 2 }""",
            earlyStopping: """{ "every": 1, "patience": 1, "minDelta": 1000 }""");
        var runFolder = folder.Combine("run");

        var run = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", runFolder);

        run.ExitCode.Should().Be(0, run.Error);
        foreach (var study in Studies(runFolder))
        {
            var stop = study!["training"]![0]!["earlyStopping"]!;
            stop["reason"]!.GetValue<string>().Should().Be("patience", "no rise of 1000 F1 is possible");
            stop["stoppedAt"]!.GetValue<int>().Should().Be(2, "the second scoring is the first without an improvement");
            study["training"]![0]!["steps"]!.GetValue<int>().Should().Be(2);
            study["training"]![0]!["budgetSteps"]!.GetValue<int>().Should().Be(9);
        }
        var report = File.ReadAllText(Path.Combine(runFolder, "report.md"));
        report.Should().Contain("**stopped at step 2 of 9**");
        var lines = File.ReadAllLines(Path.Combine(runFolder, "studies", FolderNames.For("full seed 8"), "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        lines.Where(l => l["event"]?.GetValue<string>() == "validation").Select(l => l["step"]!.GetValue<int>()).Should().Equal(1, 2);
        lines.Should().ContainSingle(l => l["event"] != null && l["event"]!.GetValue<string>() == "early_stop");
        lines.Where(l => l["event"] is null).Max(l => l["step"]!.GetValue<int>()).Should().Be(2, "nothing trains after the stop");
    }

    [Fact]
    public async Task A_study_that_trains_as_an_earlier_one_adopts_its_weights()
    {
        using var folder = new TemporaryFolder();
        var (recipe, _, _) = TinyRuns.Create(folder, """[{ "strategy": "full", "label": "a" }, { "strategy": "full", "label": "b" }, { "strategy": "lora" }]""",
            training: """, "precision": "fp32" """, maxSteps: 3);
        var runFolder = folder.Combine("run");

        var plan = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--dry-run");
        var run = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", runFolder);

        plan.Out.Should().Contain($"Study b trains exactly as {Path.Combine("studies", "a")}");
        plan.Error.Should().Contain("3 studies, 12 training (a grid search training everything: 18)");
        run.ExitCode.Should().Be(0, run.Error);
        var studies = Studies(runFolder);
        studies[1]!["trainingReusedFrom"]!.GetValue<string>().Should().Be(Path.Combine("studies", "a"));
        studies[2]!["trainingReusedFrom"].Should().BeNull();
        studies[1]!["finalScores"]!.ToJsonString().Should().Be(studies[0]!["finalScores"]!.ToJsonString());
        var losses = (string study) => File.ReadLines(Path.Combine(runFolder, "studies", study, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!)
            .Where(l => l["event"] is null).Select(l => l["loss"]!.GetValue<double>()).ToList();
        losses("b").Should().Equal(losses("a"));
        File.ReadAllText(Path.Combine(runFolder, "report.md")).Should().Contain("Not trained again: it trains exactly as studies/a did");
    }
}
