using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Planning;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Planning;

/// <summary>
/// tasks[].augment: bad augmentations fail before any work naming the JSON path (or file and question id); the host's offset
/// guard refuses an augmentation that moves an answer; augmented studies train on more questions, recorded in results.json.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class AugmentationRunTests
{
    private static string Recipe(TemporaryFolder folder, string augment, string sizes = "[4, 8]", bool samplePlugin = false)
    {
        var recipe = JsonNode.Parse(File.ReadAllText(TrainingSizeSweepTests.Recipe(folder, sizes, seeds: null)))!;
        recipe["tasks"]![0]!["augment"] = JsonNode.Parse(augment);
        if (samplePlugin)
        {
            TemporaryFolder.CopyFolder(Path.Combine(TestEnvironment.OutputFolder, "third-party", "SamplePlugin"), folder.Combine("plugins", "SamplePlugin"));
            recipe["plugins"] = new JsonArray(folder.Combine("plugins"));
        }
        return folder.WriteFile("recipe.json", recipe.ToJsonString());
    }

    private static string SquadFile(string context, string question, string answer, int start, string id = "extra-1") =>
        new JsonObject
        {
            ["version"] = "1.1",
            ["data"] = new JsonArray(new JsonObject
            {
                ["title"] = "Extra",
                ["paragraphs"] = new JsonArray(new JsonObject
                {
                    ["context"] = context,
                    ["qas"] = new JsonArray(new JsonObject
                    {
                        ["id"] = id, ["question"] = question,
                        ["answers"] = new JsonArray(new JsonObject { ["text"] = answer, ["answer_start"] = start }),
                    }),
                }),
            }),
        }.ToJsonString();

    [Fact]
    public async Task Bad_augmentations_fail_before_any_work_naming_the_json_path_or_file_and_question()
    {
        using var folder = new TemporaryFolder();
        var notWordNet = folder.WriteFile("not-wordnet/readme.txt", "nothing here");
        var badOffset = folder.WriteFile("extra-bad.json", SquadFile("Rome is the capital of Italy.", "What is the capital of Italy?", "Rome", 5));
        var evalCopy = folder.WriteFile("extra-eval.json", SquadFile("Paris is the capital of France. It lies on the Seine.",
            "What is the capital of France?", "Paris", 0, id: "q1"));
        var cases = new (string Augment, string Expected)[]
        {
            ("""[{ "strategy": "back-translation" }]""", "$.tasks[0].augment[0].strategy: no data-augmentation plugin named 'back-translation'"),
            ("""[{ "strategy": "question-synonyms", "options": { "ratio": 0.2 } }]""", "$.tasks[0].augment[0].options.ratio"),
            ("""[{ "strategy": "question-synonyms", "options": { "wordNet": "/no/such/wordnet" } }]""",
                "$.tasks[0].augment[0].options.wordNet: folder /no/such/wordnet not found"),
            ($$"""[{ "strategy": "question-synonyms", "options": { "wordNet": "{{Path.GetDirectoryName(notWordNet)}}" } }]""",
                "$.tasks[0].augment[0].options.wordNet"),
            ($$"""[{ "strategy": "from-file", "options": { "path": "{{badOffset}}" } }]""", "extra-1"),
            ($$"""[[], [{ "strategy": "from-file", "options": { "path": "{{evalCopy}}" } }]]""",
                "$.tasks[0].augment[1][0] (from-file): question 'q1': repeats an evaluation or validation question"),
        };
        foreach (var (augment, expected) in cases)
        {
            using var run = new TemporaryFolder();
            var recipe = Recipe(run, augment);

            var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", run.Combine("run"));

            result.ExitCode.Should().Be(2, $"{augment}: {result.Error}");
            result.Error.Should().Contain(expected, augment);
            Directory.Exists(run.Combine("run")).Should().BeFalse("nothing was started");
        }
    }

    [Fact]
    public async Task An_augmentation_that_moves_an_answer_is_refused_naming_it_and_the_question()
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, """[{ "strategy": "sample-unshifted-context" }]""", samplePlugin: true);

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", folder.Combine("run"));

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().MatchRegex(@"\$\.tasks\[0\]\.augment\[0\] \(sample-unshifted-context\): question 'train-\d+#moved' \(made from 'train-\d+'\): " +
                                          "answer 0 \"Town\\d+\" no longer points at its text");
        Directory.Exists(folder.Combine("run")).Should().BeFalse("nothing was started");
    }

    [Fact]
    public void The_guard_checks_offsets_answer_texts_ids_and_held_out_questions()
    {
        var given = new[] { new TrainingQuestion("a", "T", "Rome is in Italy.", "Where is Rome?", [new AnswerSpan("Italy", 11)]) };
        var heldOut = new HeldOutQuestions([("dev-1", "What is Rome?", "Rome is a city.")]);
        TrainingQuestion Derived(string id, string context, string text, int start) =>
            new(id, "T", context, "Where is Rome?", [new AnswerSpan(text, start)]) { DerivedFrom = "a" };

        AugmentationGuard.Check("x", given, [Derived("a#1", "So. Rome is in Italy.", "Italy", 15)], heldOut).Should().BeEmpty();
        AugmentationGuard.Check("x", given, [Derived("a#1", "So. Rome is in Italy.", "Italy", 11)], heldOut)
            .Should().ContainSingle().Which.Should().Contain("question 'a#1' (made from 'a'): answer 0 \"Italy\" no longer points at its text");
        AugmentationGuard.Check("x", given, [Derived("a#1", "Rome is in Lazio.", "Lazio", 11)], heldOut)
            .Should().ContainSingle().Which.Should().Contain("are not those of 'a'");
        AugmentationGuard.Check("x", given, [Derived("a#1", "Rome is in Italy.", "Italy", 40)], heldOut)
            .Should().ContainSingle().Which.Should().Contain("outside its context");
        AugmentationGuard.Check("x", given, [Derived("a#1", "Rome is in Italy.", "Italy", 11), Derived("a#1", "Rome is in Italy.", "Italy", 11)],
            heldOut).Should().ContainSingle().Which.Should().Contain("returned twice");
        AugmentationGuard.Check("x", given, [new TrainingQuestion("n", "T", "Rome is a city.", "what is  ROME?", [new AnswerSpan("Rome", 0)])],
            heldOut).Should().ContainSingle().Which.Should().Contain("repeats an evaluation or validation question");
        AugmentationGuard.Check("x", given, [new TrainingQuestion("n", "T", "Rome.", "Where?", [])], heldOut)
            .Should().ContainSingle().Which.Should().Contain("has no answer");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_from_file_augmentation_pins_its_file_so_resume_refuses_a_changed_one()
    {
        using var folder = new TemporaryFolder();
        var extra = folder.WriteFile("extra.json", SquadFile("Rome is the capital of Italy.", "What is the capital of Italy?", "Rome", 0));
        var recipe = Recipe(folder, $$"""[{ "strategy": "from-file", "options": { "path": "{{extra}}" } }]""", sizes: "[4]");
        var runFolder = folder.Combine("run");
        (await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", runFolder)).ExitCode.Should().Be(0);
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!;
        var data = results["studies"]![0]!["training"]![0]!["data"]!;
        data["questions"]!.GetValue<int>().Should().Be(5, "four sampled questions and the file's one");
        data["augmentation"]![0]!["added"]!.GetValue<int>().Should().Be(1);

        File.WriteAllText(extra, SquadFile("Rome is the capital of Italy.", "Which city is Italy's capital?", "Rome", 0));
        var resumed = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", runFolder, "--resume");

        resumed.ExitCode.Should().Be(2, resumed.Error);
        resumed.Error.Should().Contain("$.tasks[0].augment[0].options.path (task 'capitals'): the data changed since the run started");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_comparison_of_augmentations_trains_each_on_its_own_questions_and_reports_the_difference_from_none()
    {
        using var folder = new TemporaryFolder();
        var recipe = Recipe(folder, """[[], [{ "strategy": "question-synonyms", "options": { "copies": 2 } }], [{ "strategy": "sample-upper-case" }]]""",
            sizes: "[4, 8]", samplePlugin: true);
        var runFolder = folder.Combine("run");

        var result = await PeftqaCli.Run("run", recipe, "--device", "cpu", "--out", runFolder);

        result.ExitCode.Should().Be(0, result.Error);
        var studies = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!["studies"]!.AsArray()
            .ToDictionary(s => (string)s!["label"]!, s => s!["training"]![0]!["data"]!);
        studies.Keys.Should().BeEquivalentTo("full aug=none n=4", "full aug=none n=8", "full aug=question-synonyms n=4",
            "full aug=question-synonyms n=8", "full aug=sample-upper-case n=4", "full aug=sample-upper-case n=8");
        studies["full aug=none n=8"]!["questions"]!.GetValue<int>().Should().Be(8);
        studies["full aug=sample-upper-case n=8"]!["questions"]!.GetValue<int>().Should().Be(16, "one upper-case copy per question");
        studies["full aug=question-synonyms n=8"]!["questions"]!.GetValue<int>().Should().BeGreaterThan(8);
        var synonyms = studies["full aug=question-synonyms n=8"]!["augmentation"]![0]!;
        synonyms["strategy"]!.GetValue<string>().Should().Be("question-synonyms");
        synonyms["added"]!.GetValue<int>().Should().Be(studies["full aug=question-synonyms n=8"]!["questions"]!.GetValue<int>() - 8);
        studies["full aug=sample-upper-case n=4"]!["sampledIds"]!.AsArray().Select(i => (string)i!)
            .Should().Equal(studies["full aug=none n=4"]!["sampledIds"]!.AsArray().Select(i => (string)i!), "augmentations start from the same sample");

        var points = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "data-size.json")))!.AsArray();
        var upper = points.Single(p => (string)p!["method"]! == "full aug=sample-upper-case" && (int)p["trainingQuestions"]! == 8)!;
        upper["reference"]!.GetValue<string>().Should().Be("full aug=none", "each augmentation is compared with no augmentation");
        upper["differenceFromReference"]!["ci95"]!.AsArray().Should().HaveCount(2);
    }
}
