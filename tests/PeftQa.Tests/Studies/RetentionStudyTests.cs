using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Runs;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Studies;

/// <summary>
/// The CI-sized version of recipes/forgetting-squad-domains.json: a tiny model first fine-tuned on one synthetic domain
/// (the "SQuAD model"), then a study that starts from it, keeps that domain as a retention task, and trains two new
/// domains with naive, replay, EWC, LwF and A-GEM for full fine-tuning and per-task LoRA adapters.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class RetentionStudyTests
{
    private static string Task(string name, int train = 64) =>
        $$"""{ "name": "{{name}}", "train": "builtin:synthetic/{{name}}/train", "eval": "builtin:synthetic/{{name}}/eval", "maxTrainExamples": {{train}}, "maxEvalExamples": 20 }""";

    private const string Training = """ "training": { "learningRate": 2e-3, "batchSize": 8, "maxSteps": 6, "maxSequenceLength": 96, "docStride": 32, "logEvery": 3 } """;

    private const string Retention =
        """{ "name": "biographies", "retention": true, "eval": "builtin:synthetic/biographies/eval", "memory": "builtin:synthetic/biographies/train", "maxTrainExamples": 40, "maxEvalExamples": 20 }""";

    /// <summary>A tiny model fine-tuned on biographies by a run of its own; returns its model folder.</summary>
    private static async Task<string> FineTunedModel(TemporaryFolder folder)
    {
        var tiny = TinyCheckpoint.Create(folder.Combine("tiny-model"), Path.Combine(BuiltinModels.EnsureCheckpoint(ModelSources.MiniLmL6, NullLogger.Instance), "vocab.txt"));
        var recipe = folder.WriteFile("first.json", $$"""
            { "name": "first", "model": {{JsonSerializer.Serialize(tiny)}}, "seed": 3, "tasks": [{{Task("biographies", 96)}}],
              "training": { "learningRate": 2e-3, "batchSize": 8, "maxSteps": 12, "maxSequenceLength": 96, "docStride": 32 } }
            """);
        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", folder.Combine("first-run"));
        result.ExitCode.Should().Be(0, result.Error);
        return folder.Combine("first-run", "studies", "full", "model");
    }

    private static string Recipe(string model, string continual, string adapters, string tasks = "") => $$"""
        {
          "name": "retention-tiny", "model": {{JsonSerializer.Serialize(model)}}, "seed": 11,
          "tasks": [{{(tasks.Length > 0 ? tasks : $"{Retention}, {Task("products")}, {Task("chemistry")}")}}],
          "adapters": [{{adapters}}],
          "continual": [{{continual}}],
          {{Training}}
        }
        """;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_study_from_a_fine_tuned_model_reports_retention_intervals_and_a_summary_for_every_strategy()
    {
        using var folder = new TemporaryFolder();
        var model = await FineTunedModel(folder);
        var recipe = folder.WriteFile("study.json", Recipe(model,
            """
            { "strategy": "naive", "adapters": ["full"] },
            { "strategy": "replay", "options": { "memoryPerTask": 16, "perBatch": 4, "retentionTask": "biographies", "retentionMemory": 16 }, "adapters": ["full"] },
            { "strategy": "ewc", "options": { "lambda": 1000, "fisherWindows": 16, "retentionTask": "biographies" }, "adapters": ["full"] },
            { "strategy": "lwf", "adapters": ["full", "lora"] },
            { "strategy": "a-gem", "options": { "memoryPerTask": 16, "referenceWindows": 4, "retentionTask": "biographies", "retentionMemory": 16 }, "adapters": ["full", "lora"] },
            { "strategy": "per-task-adapters", "label": "per-task", "adapters": ["lora"] }
            """,
            """{ "strategy": "full" }, { "strategy": "lora", "options": { "r": 4, "targetModules": ["query", "value"] } }"""));
        var runFolder = folder.Combine("run");

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", runFolder);

        result.ExitCode.Should().Be(0, result.Error);
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!;
        var studies = results["studies"]!.AsArray().ToDictionary(s => s!["label"]!.GetValue<string>(), s => s!);
        studies.Keys.Should().Equal("full+naive", "full+replay", "full+ewc", "full+lwf", "full+a-gem", "lora+lwf", "lora+a-gem", "lora+per-task");
        File.Exists(Path.Combine(runFolder, "answers-before-training", "biographies.json")).Should().BeTrue("the baseline keeps its answers for the intervals");
        double? start = null;
        foreach (var (label, study) in studies)
        {
            study["tasks"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal(["products", "chemistry"], "a retention task is never trained");
            study["startedFrom"]!.GetValue<string>().Should().Be(model);
            var retention = study["retention"]!.AsArray().Should().ContainSingle().Subject!;
            retention["task"]!.GetValue<string>().Should().Be("biographies");
            double f1Start = retention["start"]!["f1"]!.GetValue<double>();
            start ??= f1Start;
            f1Start.Should().Be(start!.Value, "every study starts from the same model");
            var after = retention["afterTask"]!.AsArray();
            after.Should().HaveCount(2, label);
            var drop = retention["drop"]!["f1"]!;
            drop["mean"]!.GetValue<double>().Should().BeApproximately(f1Start - after[1]!["f1"]!.GetValue<double>(), 1e-9, label);
            var ci = drop["ci95"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            ci[0].Should().BeLessThanOrEqualTo(drop["mean"]!.GetValue<double>()).And.BeLessThanOrEqualTo(ci[1]);

            var intervals = study["intervals"]!["f1"]!;
            intervals["afterTask"]!.AsArray().Should().HaveCount(2).And.OnlyContain(row => row!.AsArray().Count == 2);
            intervals["afterTask"]![1]![0]!["mean"]!.GetValue<double>().Should().BeApproximately(study["afterTask"]![1]![0]!["f1"]!.GetValue<double>(), 1e-9);
            study["continualMetrics"]!["f1"]!["bwt"]!["ci95"]!.AsArray().Should().HaveCount(2, label);
            if (label != "full+naive")
                study["continualDifferenceFromReference"]!["f1"]!["retentionDrop:biographies"]!["ci95"]!.AsArray().Should().HaveCount(2, label);
        }

        // With the task id, the retention task is answered by the starting model itself: nothing can be forgotten.
        var perTask = studies["lora+per-task"]["retention"]![0]!;
        perTask["afterTask"]!.AsArray().Select(a => a!["f1"]!.GetValue<double>()).Should().OnlyContain(v => v == start);
        perTask["drop"]!["f1"]!["mean"]!.GetValue<double>().Should().Be(0);

        var report = File.ReadAllText(Path.Combine(runFolder, "report.md"));
        File.Delete(Path.Combine(runFolder, "report.md"));
        var rebuilt = await PeftqaCli.Run("report", runFolder);
        rebuilt.ExitCode.Should().Be(0, "each study's result.json keeps its retention scores, so the reports can be rebuilt: " + rebuilt.Error);
        File.ReadAllText(Path.Combine(runFolder, "report.md")).Should().Be(report);
        report.Should().Contain("## In short").And.Contain("**Forgot least:**").And.Contain("**Learned the new tasks best:**").And.Contain("## Retention")
            .And.Contain("share of the reference's drop avoided").And.Contain($"the checkpoint {model}").And.Contain("Retention task(s)");
        File.ReadAllBytes(Path.Combine(runFolder, "charts", "retention-against-acc-f1.png")).Take(4).Should().Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' });
        File.ReadAllText(Path.Combine(runFolder, "log.json")).Should().MatchRegex("\"Line\":\"a-gem projected the gradient of [0-9]+ of 6 steps on products",
            "A-GEM checks every step of the first task against the retention task's memory");
        foreach (var label in new[] { "full+lwf", "lora+lwf" })
            File.ReadAllLines(RunMetrics.PathOf(runFolder, label)).Select(l => JsonNode.Parse(l)!)
                .Where(n => n["task"]?.GetValue<string>() == "products" && n["penalty"] is not null)
                .Should().Contain(n => n["penalty"]!.GetValue<double>() > 0, $"{label}: LwF distils the fine-tuned starting model from the first task on");
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("lwf", "{}")]
    [InlineData("a-gem", """{ "memoryPerTask": 16, "referenceWindows": 4, "retentionTask": "biographies", "retentionMemory": 16 }""")]
    public async Task A_study_killed_in_the_middle_of_its_second_task_resumes_exactly(string strategy, string options)
    {
        using var folder = new TemporaryFolder();
        var model = await FineTunedModel(folder);
        var recipe = folder.WriteFile("study.json", $$"""
            {
              "name": "kill-{{strategy}}", "model": {{JsonSerializer.Serialize(model)}}, "seed": 11,
              "tasks": [{{Retention}}, {{Task("products")}}, {{Task("chemistry")}}],
              "continual": [{ "strategy": "{{strategy}}", "options": {{options}} }],
              "training": { "learningRate": 2e-3, "batchSize": 8, "maxSteps": 40, "checkpointEvery": 5, "maxSequenceLength": 96, "docStride": 32, "logEvery": 1 }
            }
            """);
        const string label = "full"; // one continual strategy: the study is named after its adapter
        var (referenceCode, referenceLog) = await KillAndResumeTests.RunToEnd("run", recipe, "--out", folder.Combine("reference"));
        referenceCode.Should().Be(0, referenceLog);

        var killed = folder.Combine("killed");
        var checkpoints = Path.Combine(PeftQa.Host.Studies.StudyFolder.For(killed, label), "tasks", "2-chemistry", "checkpoints");
        (await KillAndResumeTests.RunUntilCheckpointedThenKill(checkpoints, "run", recipe, "--out", killed)).Should().NotBe(0);
        File.Exists(Path.Combine(killed, "results.json")).Should().BeFalse("the kill came in the second task");
        var (resumedCode, resumedLog) = await KillAndResumeTests.RunToEnd("run", recipe, "--out", killed, "--resume");

        resumedCode.Should().Be(0, resumedLog);
        resumedLog.Should().Contain($"Resuming {label}/chemistry from");
        LossesAndPenalties(killed, label).Should().Equal(LossesAndPenalties(folder.Combine("reference"), label),
            $"{strategy}'s teacher or memory is the same after the resume, so every step is");
        var reference = JsonNode.Parse(File.ReadAllText(folder.Combine("reference", "results.json")))!["studies"]![0]!;
        var resumed = JsonNode.Parse(File.ReadAllText(Path.Combine(killed, "results.json")))!["studies"]![0]!;
        resumed["afterTask"]!.ToJsonString().Should().Be(reference["afterTask"]!.ToJsonString());
        resumed["retention"]!.ToJsonString().Should().Be(reference["retention"]!.ToJsonString());
    }

    private static List<string> LossesAndPenalties(string runFolder, string label) =>
        File.ReadAllLines(RunMetrics.PathOf(runFolder, label)).Select(l => JsonNode.Parse(l)!)
            .Where(n => n["loss"] is not null).Select(n => $"{n["task"]} {n["step"]} {n["loss"]} {n["penalty"]}").ToList();

    [Fact]
    public async Task Bad_retention_and_strategy_inputs_fail_before_any_work_naming_the_field()
    {
        using var folder = new TemporaryFolder();
        var tiny = TinyCheckpoint.Create(folder.Combine("tiny-model"), Path.Combine(BuiltinModels.EnsureCheckpoint(ModelSources.MiniLmL6, NullLogger.Instance), "vocab.txt"));
        var trainedRetention = Retention.Replace("\"retention\": true,", "\"retention\": true, \"train\": \"builtin:synthetic/biographies/train\",");
        var noMemory = """{ "name": "bios", "retention": true, "eval": "builtin:synthetic/biographies/eval" }""";
        var recipe = folder.WriteFile("bad.json", Recipe(tiny,
            """
            { "strategy": "replay", "options": { "retentionTask": "squad" } },
            { "strategy": "ewc", "options": { "retentionTask": "bios" } },
            { "strategy": "lwf", "options": { "fromStart": "sometimes" } }
            """,
            """{ "strategy": "full" }""", tasks: $"{trainedRetention}, {noMemory}, {Task("products")}"));

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", folder.Combine("run"));

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().Contain("$.tasks[0].train: task 'biographies' is a retention task");
        Directory.Exists(folder.Combine("run")).Should().BeFalse("nothing is created for a bad recipe");

        recipe = folder.WriteFile("bad2.json", Recipe(tiny,
            """
            { "strategy": "replay", "options": { "retentionTask": "squad" } },
            { "strategy": "ewc", "options": { "retentionTask": "bios" } },
            { "strategy": "lwf", "options": { "fromStart": "sometimes" } }
            """,
            """{ "strategy": "full" }""", tasks: $"{Retention}, {noMemory}, {Task("products")}"));
        result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", folder.Combine("run"));

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().Contain("$.continual[0].options.retentionTask: 'squad' names no retention task of this recipe; its retention tasks are 'biographies', 'bios'")
            .And.Contain("$.continual[1].options.retentionTask: retention task 'bios' has no memory")
            .And.Contain("fromStart: expected one of auto, always, never, got 'sometimes'");
        Directory.Exists(folder.Combine("run")).Should().BeFalse();

        var notAModel = Directory.CreateDirectory(folder.Combine("not-a-model")).FullName;
        File.WriteAllText(Path.Combine(notAModel, "notes.txt"), "results of an old run");
        recipe = folder.WriteFile("bad3.json", Recipe(notAModel, """{ "strategy": "naive" }""", """{ "strategy": "full" }"""));
        result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", folder.Combine("run"));

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().Contain("$.model").And.Contain("config.json");
        Directory.Exists(folder.Combine("run")).Should().BeFalse();
    }
}
