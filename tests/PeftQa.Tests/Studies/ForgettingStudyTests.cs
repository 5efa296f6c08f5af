using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Studies;

/// <summary>
/// The CI-sized forgetting study: the shape of recipes/forgetting-squad-shifts.json (three tasks in sequence; full
/// fine-tuning and LoRA; naive, replay, EWC, per-task adapters, O-LoRA) on synthetic domains with a tiny model.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ForgettingStudyTests
{
    private static readonly string[] Tasks = ["biographies", "products", "chemistry"];

    private static string Recipe(string model, string continual, string adapters, int maxSteps = 8, string extra = "") => $$"""
        {
          "name": "forgetting-tiny", "model": {{JsonSerializer.Serialize(model)}}, "seed": 11,
          "tasks": [{{string.Join(", ", Tasks.Select(t =>
              $$"""{ "name": "{{t}}", "train": "builtin:synthetic/{{t}}/train", "eval": "builtin:synthetic/{{t}}/eval", "maxTrainExamples": 80, "maxEvalExamples": 24 }"""))}}],
          "adapters": [{{adapters}}],
          "continual": [{{continual}}],
          "training": { "learningRate": 2e-3, "batchSize": 8, "maxSteps": {{maxSteps}}, "maxSequenceLength": 96, "docStride": 32, "logEvery": 4 {{extra}} }
        }
        """;

    private static string TinyModel(TemporaryFolder folder) =>
        TinyCheckpoint.Create(folder.Combine("tiny-model"), Path.Combine(BuiltinModels.EnsureCheckpoint(ModelSources.MiniLmL6, NullLogger.Instance), "vocab.txt"));

    private static double[][] Matrix(JsonNode study, string score) =>
        study["afterTask"]!.AsArray().Select(row => row!.AsArray().Select(s => s![score]!.GetValue<double>()).ToArray()).ToArray();

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_study_of_three_tasks_reports_matrices_metrics_routing_and_charts_for_every_configuration()
    {
        using var folder = new TemporaryFolder();
        var recipe = folder.WriteFile("study.json", Recipe(TinyModel(folder),
            """
            { "strategy": "naive", "adapters": ["full", "lora"] },
            { "strategy": "replay", "options": { "memoryPerTask": 16, "perBatch": 4 }, "adapters": ["full", "lora"] },
            { "strategy": "ewc", "options": { "lambda": 1000, "fisherWindows": 16 }, "adapters": ["full", "lora"] },
            { "strategy": "per-task-adapters", "label": "per-task (task id)", "adapters": ["lora", "p-tuning-v2"] },
            { "strategy": "per-task-adapters", "label": "per-task (routed)", "options": { "routing": "centroid" }, "adapters": ["lora"] },
            { "strategy": "o-lora", "adapters": ["lora"] }
            """,
            """{ "strategy": "full" }, { "strategy": "lora", "options": { "r": 4, "targetModules": ["query", "value"] } }, { "strategy": "p-tuning-v2", "options": { "prefixLength": 4 } }"""));
        var runFolder = folder.Combine("run");

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", runFolder);

        result.ExitCode.Should().Be(0, result.Error);
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!;
        var studies = results["studies"]!.AsArray().ToDictionary(s => s!["label"]!.GetValue<string>(), s => s!);
        studies.Keys.Should().Equal("full+naive", "full+replay", "full+ewc", "lora+naive", "lora+replay", "lora+ewc",
            "lora+per-task (task id)", "lora+per-task (routed)", "lora+o-lora", "p-tuning-v2+per-task (task id)");
        results["continualMetrics"]!["forgetting"]!.GetValue<string>().Should().Contain("Chaudhry");
        studies.Values.Select(s => s["baseline"]!.ToJsonString()).Distinct().Should().ContainSingle("b[j] is the base model's, measured once per run");
        File.ReadAllText(Path.Combine(runFolder, "log.json")).Split('\n').Count(l => l.Contains("\"Stage\":\"before training\"", StringComparison.Ordinal))
            .Should().Be(3, "one baseline evaluation per task, not per study");

        foreach (var (label, study) in studies)
        {
            var f1 = Matrix(study, "f1");
            f1.Should().HaveCount(3).And.OnlyContain(row => row.Length == 3, label);
            var metrics = study["continualMetrics"]!["f1"]!;
            metrics["acc"]!["value"]!.GetValue<double>().Should().BeApproximately(f1[2].Average(), 1e-9, label);
            metrics["bwt"]!["value"]!.GetValue<double>().Should().BeApproximately((f1[2][0] - f1[0][0] + f1[2][1] - f1[1][1]) / 2, 1e-9, label);
            study["continualMetrics"]!["exact_match"]!["forgetting"]!["perTask"]!.AsArray().Should().HaveCount(3);
        }

        // With the task given, per-task adapters cannot forget: every score after its task stays exactly what it was,
        // with LoRA branches and with P-tuning v2 prefixes (one prefix per task, swapped in by the router).
        foreach (var label in new[] { "lora+per-task (task id)", "p-tuning-v2+per-task (task id)" })
        {
            var perTask = Matrix(studies[label], "f1");
            for (int j = 0; j < 3; j++)
                for (int i = j; i < 3; i++)
                    perTask[i][j].Should().Be(perTask[j][j], $"{label}: task {j} after task {i}");
            studies[label]["continualMetrics"]!["f1"]!["bwt"]!["value"]!.GetValue<double>().Should().Be(0);
        }
        studies["lora+per-task (task id)"]["adapterFolder"]!.GetValue<string>().Should().EndWith("adapter-1-biographies");
        Directory.GetDirectories(Path.Combine(runFolder, "studies", "lora_per-task__task_id_"), "adapter-*").Should().HaveCount(3);

        // Routed without the task id: accuracy of the router per trained task, recorded after every task.
        var routing = studies["lora+per-task (routed)"]["routingAccuracy"]!.AsArray();
        routing.Should().HaveCount(3);
        routing[2]!.AsArray().Should().OnlyContain(v => v != null && v.GetValue<double>() >= 0 && v.GetValue<double>() <= 100);
        routing[0]![1].Should().BeNull("task 2 has no adapter after task 1");

        var report = File.ReadAllText(Path.Combine(runFolder, "report.md"));
        report.Should().Contain("## Summary (F1)").And.Contain("## Summary (EM)").And.Contain("| after training on ↓ / evaluated on → | biographies | products | chemistry |")
            .And.Contain("Chaudhry").And.Contain("Routing accuracy").And.Contain("| lora+o-lora | lora | o-lora |");
        foreach (var label in studies.Keys)
            foreach (var chart in new[] { "heatmap", "through-sequence" })
            {
                var png = Path.Combine(runFolder, "charts", $"{chart}-{Host.Foundation.FolderNames.For(label)}.png");
                File.ReadAllBytes(png).Take(4).Should().Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png);
                report.Should().Contain($"charts/{Path.GetFileName(png)}");
            }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_third_party_continual_strategy_and_metric_run_from_a_plugin_folder()
    {
        using var folder = new TemporaryFolder();
        TemporaryFolder.CopyFolder(Path.Combine(TestEnvironment.OutputFolder, "third-party", "SamplePlugin"), folder.Combine("plugins", "SamplePlugin"));
        var recipe = Recipe(TinyModel(folder), """{ "strategy": "naive" }, { "strategy": "sample-l2-anchor", "label": "l2", "options": { "strength": 10 } }""",
            """{ "strategy": "full" }""", maxSteps: 4);
        recipe = recipe.Replace("\"seed\": 11,", "\"seed\": 11, \"plugins\": [\"plugins\"], \"evaluation\": { \"continualMetrics\": [\"acc\", \"sample_worst_final\"] },");
        var runFolder = folder.Combine("run");

        var result = await PeftqaCli.Run("run", folder.WriteFile("study.json", recipe), "--device", "cpu", "--out", runFolder);

        result.ExitCode.Should().Be(0, result.Error);
        var studies = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!["studies"]!.AsArray();
        studies.Select(s => s!["label"]!.GetValue<string>()).Should().Equal("full+naive", "full+l2");
        var l2 = studies[1]!;
        l2["continualMetrics"]!["f1"]!["sample_worst_final"]!["value"]!.GetValue<double>().Should().Be(Matrix(l2, "f1")[2].Min());
        File.ReadAllLines(RunMetrics.PathOf(runFolder, "full+l2")).Select(l => JsonNode.Parse(l)!)
            .Where(n => n["study"]!.GetValue<string>() == "full+l2" && n["task"]!.GetValue<string>() != "biographies" && n["penalty"] is not null)
            .Should().Contain(n => n["penalty"]!.GetValue<double>() > 0, "the third party's penalty trains along");
        File.ReadAllText(Path.Combine(runFolder, "report.md")).Should().Contain("SAMPLE_WORST_FINAL").And.Contain("min over j of R[T][j]");
    }

    [Fact]
    public async Task Pairings_that_cannot_work_fail_before_training_naming_the_option_and_adapter()
    {
        using var folder = new TemporaryFolder();
        var recipe = folder.WriteFile("bad.json", Recipe(TinyModel(folder),
            """{ "strategy": "per-task-adapters" }, { "strategy": "o-lora", "adapters": ["p-tuning-v2"] }, { "strategy": "ewc", "options": { "lambda": -1 } }""",
            """{ "strategy": "full" }, { "strategy": "p-tuning-v2", "options": { "prefixLength": 2 } }"""));

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", folder.Combine("run"));

        result.ExitCode.Should().Be(2);
        result.Error.Should().NotContain("per-task-adapters with adapter 'p-tuning-v2'", "one prefix per task, swapped in by routing, works");
        result.Error.Should().Contain("$.continual[0] (per-task-adapters with adapter 'full'): adapter strategy 'full' trains the base encoder's own weights")
            .And.Contain("$.continual[1] (o-lora with adapter 'p-tuning-v2'): adapter strategy 'p-tuning-v2' has no LoRA A matrices")
            .And.Contain("lambda: expected a value of at least 0, got -1");
        Directory.Exists(folder.Combine("run")).Should().BeFalse("nothing starts when the recipe is wrong");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_study_killed_between_tasks_resumes_at_the_next_task_and_ends_like_an_uninterrupted_one()
    {
        using var folder = new TemporaryFolder();
        var recipe = folder.WriteFile("study.json", Recipe(TinyModel(folder), """{ "strategy": "ewc", "options": { "lambda": 1000, "fisherWindows": 16 } }""",
            """{ "strategy": "full" }""", maxSteps: 40, extra: """, "checkpointEvery": 5"""));
        var reference = await PeftQa.Tests.Runs.KillAndResumeTests.RunToEnd("run", recipe, "--out", folder.Combine("reference"));
        reference.Code.Should().Be(0, reference.Output);

        var killedFolder = folder.Combine("killed");
        var statePath = Path.Combine(killedFolder, "studies", "full", "study-state.json");
        await KillOnceATaskIsDone(recipe, killedFolder, statePath);
        File.Exists(Path.Combine(killedFolder, "results.json")).Should().BeFalse("the kill came before the end");
        int finished = CompletedTasks(statePath);
        finished.Should().BeInRange(1, 2);

        var resumed = await PeftQa.Tests.Runs.KillAndResumeTests.RunToEnd("run", recipe, "--out", killedFolder, "--resume");
        resumed.Code.Should().Be(0, resumed.Output);
        resumed.Output.Should().Contain("full: task biographies already done; skipping to the next");
        resumed.Output.Should().NotContain("trained on biographies", "a finished task is not trained again");

        var expected = JsonNode.Parse(File.ReadAllText(folder.Combine("reference", "results.json")))!["studies"]![0]!;
        var actual = JsonNode.Parse(File.ReadAllText(Path.Combine(killedFolder, "results.json")))!["studies"]![0]!;
        actual["afterTask"]!.ToJsonString().Should().Be(expected["afterTask"]!.ToJsonString());
        actual["continualMetrics"]!.ToJsonString().Should().Be(expected["continualMetrics"]!.ToJsonString());
        File.ReadAllBytes(Path.Combine(killedFolder, "studies", "full", "model", "model.safetensors"))
            .Should().Equal(File.ReadAllBytes(folder.Combine("reference", "studies", "full", "model", "model.safetensors")));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_merge_study_answers_every_task_with_one_merged_model_and_resumes_like_an_uninterrupted_one()
    {
        using var folder = new TemporaryFolder();
        var recipe = folder.WriteFile("study.json", Recipe(TinyModel(folder),
            """{ "strategy": "merge", "options": { "method": "dare_ties", "density": 0.5 } }""",
            """{ "strategy": "lora", "options": { "r": 4, "targetModules": ["query", "value"] } }""", maxSteps: 20, extra: """, "checkpointEvery": 5"""));
        var reference = await PeftQa.Tests.Runs.KillAndResumeTests.RunToEnd("run", recipe, "--out", folder.Combine("reference"));
        reference.Code.Should().Be(0, reference.Output);

        var killedFolder = folder.Combine("killed");
        var statePath = Path.Combine(killedFolder, "studies", "lora", "study-state.json");
        await KillOnceATaskIsDone(recipe, killedFolder, statePath);
        File.Exists(Path.Combine(killedFolder, "results.json")).Should().BeFalse("the kill came before the end");
        var resumed = await PeftQa.Tests.Runs.KillAndResumeTests.RunToEnd("run", recipe, "--out", killedFolder, "--resume");
        resumed.Code.Should().Be(0, resumed.Output);

        var expected = JsonNode.Parse(File.ReadAllText(folder.Combine("reference", "results.json")))!["studies"]![0]!;
        var actual = JsonNode.Parse(File.ReadAllText(Path.Combine(killedFolder, "results.json")))!["studies"]![0]!;
        expected["routing"]!.GetValue<string>().Should().Be("shared", "one merged model answers every task, without task ids");
        Matrix(expected, "f1").Should().HaveCount(3).And.OnlyContain(row => row.Length == 3);
        actual["afterTask"]!.ToJsonString().Should().Be(expected["afterTask"]!.ToJsonString(), "the merge is seeded, so a resume merges alike");
        File.ReadAllBytes(Path.Combine(killedFolder, "studies", "lora", "model", "model.safetensors"))
            .Should().Equal(File.ReadAllBytes(folder.Combine("reference", "studies", "lora", "model", "model.safetensors")));

        // Each task's adapter folder holds its own adapter and head, so peftqa merge of them gives the study's model again.
        var studyFolder = folder.Combine("reference", "studies", "lora");
        string[] adapters = [.. Tasks.SelectMany((task, i) => new[] { "--adapter", Path.Combine(studyFolder, $"adapter-{i + 1}-{task}") })];
        var remerged = await PeftqaCli.Run(["merge", "--model", folder.Combine("tiny-model"), .. adapters,
            "--method", "dare_ties", "--density", "0.5", "--seed", "11", "--out", folder.Combine("remerged")]);
        remerged.ExitCode.Should().Be(0, remerged.Error);
        using var merged = Checkpoint.Load(Path.Combine(studyFolder, "model"), NullLogger.Instance).Model;
        using var again = Checkpoint.Load(folder.Combine("remerged"), NullLogger.Instance).Model;
        foreach (var ((name, a), (_, b)) in merged.named_parameters().Zip(again.named_parameters()))
            a.allclose(b, rtol: 0, atol: 0).Should().BeTrue($"{name} is the same merge of the same task vectors");
    }

    /// <summary>Starts the run in its own process and kills it as soon as its study state records a finished task.</summary>
    private static async Task KillOnceATaskIsDone(string recipe, string killedFolder, string statePath)
    {
        using var victim = PeftQa.Tests.Runs.KillAndResumeTests.Start("run", recipe, "--out", killedFolder);
        _ = victim.StandardOutput.ReadToEndAsync();
        _ = victim.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(File.Exists(statePath) && CompletedTasks(statePath) >= 1) && !victim.HasExited && DateTime.UtcNow < deadline)
            await Task.Delay(5);
        victim.Kill(entireProcessTree: true);
        await victim.WaitForExitAsync();
    }

    private static int CompletedTasks(string statePath)
    {
        try { return JsonNode.Parse(File.ReadAllText(statePath))?["AfterTask"]?.AsArray().Count ?? 0; }
        catch (Exception e) when (e is IOException or JsonException) { return 0; }
    }
}
