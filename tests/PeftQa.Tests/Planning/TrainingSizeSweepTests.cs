using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Planning;

/// <summary>
/// A list in a task's maxTrainExamples sweeps training sizes: one study per size and seed, each seed drawing its own nested
/// samples, minSteps as a floor on steps, and a data-size report.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class TrainingSizeSweepTests
{
    /// <summary>A recipe over <paramref name="paragraphs"/> one-question training paragraphs and a separate eval file.</summary>
    internal static string Recipe(TemporaryFolder folder, string sizes, string adapters = """[{ "strategy": "full" }]""",
        string? seeds = "[7, 8]", string training = """{ "epochs": 1, "minSteps": 3 }""", int paragraphs = 12, string? selection = null)
    {
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), TinyRuns.Vocabulary);
        var train = folder.WriteFile("data/train.json", SelectionRunTests.TrainingFile(paragraphs));
        var eval = folder.WriteFile("data/eval.json", TinyRuns.Squad);
        var recipe = JsonNode.Parse(TinyRuns.SquadRecipe(model, eval, adapters))!;
        recipe["tasks"]![0]!["train"] = train;
        recipe["tasks"]![0]!["maxTrainExamples"] = JsonNode.Parse(sizes);
        if (seeds is not null) recipe["seeds"] = JsonNode.Parse(seeds);
        var settings = recipe["training"]!.AsObject();
        settings.Remove("maxSteps");
        foreach (var (key, value) in JsonNode.Parse(training)!.AsObject()) settings[key] = value?.DeepClone();
        if (selection is not null) recipe["selection"] = JsonNode.Parse(selection);
        return folder.WriteFile("recipe.json", recipe.ToJsonString());
    }

    public static TheoryData<string, string, string?, string> BadSweeps => new()
    {
        { "[0, 4]", """{ "epochs": 1 }""", null, "$.tasks[0].maxTrainExamples[0]: expected a value of at least 1, got 0" },
        { "[4, -2]", """{ "epochs": 1 }""", null, "$.tasks[0].maxTrainExamples[1]: expected a value of at least 1, got -2" },
        { "[4, 8, 4]", """{ "epochs": 1 }""", null, "$.tasks[0].maxTrainExamples[2]: the training size 4 is given twice (also at [0])" },
        { "[]", """{ "epochs": 1 }""", null, "$.tasks[0].maxTrainExamples: an empty search list" },
        { "[4, 8]", """{ "epochs": 1, "minSteps": 0 }""", null, "$.training.minSteps: expected a value of at least 1, got 0" },
        { "[4, 50]", """{ "epochs": 1 }""", null, "$.tasks[0].maxTrainExamples: task 'capitals' has 12 usable training questions, fewer than the training size 50" },
        { "[4, 8]", """{ "epochs": 1 }""", """{ "metric": "f1" }""", "$.tasks[0].maxTrainExamples: a training-size sweep is not chosen by selection and cannot be combined with it" },
    };

    [Theory]
    [MemberData(nameof(BadSweeps))]
    public async Task A_bad_sweep_fails_before_any_work_naming_the_json_path(string sizes, string training, string? selection, string expected)
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, sizes, training: training, selection: selection);

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", folder.Combine("run"));

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().Contain(expected);
        Directory.Exists(folder.Combine("run")).Should().BeFalse("nothing was started");
    }

    [Fact]
    public async Task The_dry_run_prints_every_size_and_seed_with_its_questions_windows_and_steps()
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, "[2, 8]");

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--dry-run");

        result.ExitCode.Should().Be(0, result.Error);
        var studies = result.Out.Split('\n').Where(l => l.Contains("│ full n=")).ToList();
        studies.Select(l => l.Split('│')[1].Trim()).Should().Equal("full n=2 seed 7", "full n=2 seed 8", "full n=8 seed 7", "full n=8 seed 8");
        studies[1].Should().Contain("1 epochs, at least 3");
        result.Out.Should().Contain("sample of 2 with seed 8", "each seed draws its own sample");
        var sets = result.Out.Split('\n').Where(l => l.StartsWith("│ capitals │ n=")).ToList();
        sets.Should().HaveCount(4);
        // 2 questions of one window each in batches of 2: one step an epoch, so the floor of 3 steps decides; 8 questions: 4 steps.
        sets.Single(l => l.Contains("n=2 seed 7")).Should().MatchRegex(@"│ 2 -> 2 +│ none +│ 2 +│ 3 +│ 1 ");
        sets.Single(l => l.Contains("n=8 seed 8")).Should().MatchRegex(@"│ 8 -> 8 +│ none +│ 8 +│ 4 +│ 1 ");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_tiny_sweep_trains_nested_samples_per_seed_and_writes_the_data_size_report()
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, "[2, 4, 8]", """[{ "strategy": "full" }, { "strategy": "lora", "learningRate": 0.003 }]""");
        var runFolder = folder.Combine("run");

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", runFolder);

        result.ExitCode.Should().Be(0, result.Error);
        var studies = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!["studies"]!.AsArray();
        studies.Select(s => (string)s!["label"]!).Should().BeEquivalentTo(
            from method in new[] { "full", "lora" } from n in new[] { 2, 4, 8 } from seed in new[] { 7, 8 } select $"{method} n={n} seed {seed}");
        List<string> Ids(string label) =>
            studies.Single(s => (string)s!["label"]! == label)!["training"]![0]!["data"]!["sampledIds"]!.AsArray().Select(i => (string)i!).ToList();
        foreach (var seed in new[] { 7, 8 })
        {
            Ids($"full n=2 seed {seed}").Should().HaveCount(2).And.BeSubsetOf(Ids($"full n=4 seed {seed}"));
            Ids($"full n=4 seed {seed}").Should().HaveCount(4).And.BeSubsetOf(Ids($"full n=8 seed {seed}"));
            Ids($"lora n=8 seed {seed}").Should().Equal(Ids($"full n=8 seed {seed}"), "every method of a seed trains on the same sample");
        }
        Ids("full n=8 seed 7").Should().NotEqual(Ids("full n=8 seed 8"), "each seed draws its own sample");
        var steps = studies.ToDictionary(s => (string)s!["label"]!, s => (int)s!["training"]![0]!["steps"]!);
        steps["full n=2 seed 7"].Should().Be(3, "one step an epoch, raised to minSteps");
        steps["full n=8 seed 7"].Should().Be(4, "four steps an epoch, above the floor");

        var points = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "data-size.json")))!.AsArray();
        points.Should().HaveCount(6);
        var lora8 = points.Single(p => (string)p!["method"]! == "lora" && (int)p["trainingQuestions"]! == 8)!;
        lora8["seeds"]!.AsArray().Select(s => (int)s!).Should().Equal(7, 8);
        lora8["reference"]!.GetValue<string>().Should().Be("full");
        lora8["differenceFromReference"]!["ci95"]!.AsArray().Should().HaveCount(2, "each size pairs every seed with the reference's");
        File.Exists(Path.Combine(runFolder, "data-size.png")).Should().BeTrue();
        var markdown = File.ReadAllText(Path.Combine(runFolder, "data-size.md"));
        markdown.Should().Contain("| 8 | lora |").And.Contain("- n=2: ").And.Contain("- n=8: ");
        File.ReadAllText(Path.Combine(runFolder, "compare.md")).Should().Contain("## Training size");
        JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "compare.json")))!.AsArray()
            .Single(r => (string)r!["study"]! == "lora n=4 seed 8")!["trainingQuestions"]!.GetValue<int>().Should().Be(4);
    }
}
