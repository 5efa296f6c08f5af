using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Reporting;

/// <summary>
/// <c>peftqa compare</c> puts runs side by side only when they are comparable (same data files, evaluation set and
/// budget), labels them when told to compare them anyway, and writes to a new folder, never over a run's files.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class CompareCommandTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Runs_with_other_data_evaluation_set_or_budget_are_refused_naming_what_differs()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), TinyRuns.Vocabulary);
        var runA = await Run(folder, "run-a", model, folder.WriteFile("a/capitals.json", TinyRuns.Squad), maxSteps: 2);
        var runB = await Run(folder, "run-b", model, folder.WriteFile("b/capitals.json", OtherSquad), maxSteps: 3);

        var refused = await PeftqaCli.Run("compare", runA, runB);

        refused.ExitCode.Should().Be(2, refused.Out);
        refused.Error.Should().Contain($"{runB} differs from {runA} in data files ($.tasks[0].train: ")
            .And.Contain("evaluation set ($.tasks[0].eval: ").And.Contain("steps/budget ($.training.maxSteps: 2 vs 3)")
            .And.Contain("--allow-mismatch").And.NotContain("   at ");
        Directory.GetDirectories(folder.Path, "compare-*").Should().BeEmpty("nothing is written for refused runs");

        var labelled = await PeftqaCli.Run("compare", runA, runB, "--allow-mismatch", "--out", folder.Combine("anyway"));

        labelled.ExitCode.Should().Be(0, labelled.Error);
        var markdown = File.ReadAllText(folder.Combine("anyway", "compare.md"));
        markdown.Should().Contain("**Not comparable**: these runs differ in").And.Contain("steps/budget ($.training.maxSteps: 2 vs 3)")
            .And.Contain("| full (run-a) (full) |").And.Contain("| full (run-b) (full) |")
            .And.NotContain("Same data, seed and budget").And.NotContain("Across seeds", "two unrelated runs are not two seeds of one configuration")
            .And.NotContain("Difference from the reference", "a paired difference across unrelated runs means nothing");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Comparable_runs_go_to_a_new_folder_beside_them_and_nothing_is_overwritten()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), TinyRuns.Vocabulary);
        var data = folder.WriteFile("data/capitals.json", TinyRuns.Squad);
        var runA = await Run(folder, "run-a", model, data, maxSteps: 2);
        var runC = await Run(folder, "run-c", model, data, maxSteps: 2);

        var compared = await PeftqaCli.Run("compare", runA, runC);

        compared.ExitCode.Should().Be(0, compared.Error);
        File.Exists(Path.Combine(runA, "compare.md")).Should().BeFalse("an input run's folder is never written");
        var written = Directory.GetDirectories(folder.Path, "compare-*").Should().ContainSingle().Subject;
        var markdown = File.ReadAllText(Path.Combine(written, "compare.md"));
        markdown.Should().Contain("Same data, seed and budget").And.Contain("| full (full) |").And.Contain("| full (run-c) (full) |")
            .And.NotContain("Across seeds", "the same configuration and seed twice is a rerun, not two seeds");
        compared.Error.Should().Contain(written);

        var intoARun = await PeftqaCli.Run("compare", runA, runC, "--out", runA);
        var overAComparison = await PeftqaCli.Run("compare", runA, runC, "--out", written);
        var twice = await PeftqaCli.Run("compare", runA, runA);

        intoARun.ExitCode.Should().Be(2);
        intoARun.Error.Should().Contain($"--out {runA}: is one of the run folders compared");
        overAComparison.ExitCode.Should().Be(2);
        overAComparison.Error.Should().Contain($"--out {written}: already holds {Path.Combine(written, "compare.md")}");
        twice.ExitCode.Should().Be(2);
        twice.Error.Should().Contain($"{runA}: given twice");
        File.Exists(Path.Combine(runA, "compare.md")).Should().BeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    [InlineData("""{"studies": []}""")]
    [InlineData("""{"recipe": "r"}""")]
    public async Task An_empty_results_file_or_one_without_studies_is_refused_naming_it(string contents)
    {
        using var folder = new TemporaryFolder();
        var results = folder.WriteFile("run/results.json", contents);

        var result = await PeftqaCli.Run("compare", folder.Combine("run"), "--out", folder.Combine("out"));

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain($"{results}: ").And.MatchRegex("is empty|no \"studies\" array").And.NotContain("   at ");
        Directory.Exists(folder.Combine("out")).Should().BeFalse();
    }

    /// <summary>The tiny SQuAD file with one question reworded: another data file, valid all the same.</summary>
    private static string OtherSquad => TinyRuns.Squad.Replace("What is the capital of Germany?", "Which city is the capital of Germany?");

    private static async Task<string> Run(TemporaryFolder folder, string name, string model, string data, int maxSteps)
    {
        var recipe = folder.WriteFile($"{name}.json", TinyRuns.SquadRecipe(model, data, maxSteps: maxSteps));
        var runFolder = folder.Combine(name);
        var result = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--device", "cpu");
        result.ExitCode.Should().Be(0, result.Error);
        return runFolder;
    }
}
