using FluentAssertions;
using PeftQa.Host.Foundation;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Foundation;

/// <summary>Labels and task names become file names: the longest allowed fits everywhere, a longer one is refused before any work.</summary>
[Collection(SerialCollection.Name)]
public sealed class LongNameTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_label_and_task_name_of_the_longest_allowed_length_run_to_the_report()
    {
        using var folder = new TemporaryFolder();
        var label = new string('l', FolderNames.MaxBytes);
        var task = new string('t', FolderNames.MaxBytes);
        var (recipe, _, _) = TinyRuns.Create(folder, adapters: $$"""[{ "strategy": "lora", "label": "{{label}}" }]""",
            training: """, "reportTo": ["tensorboard"]""");
        File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("\"capitals\"", $"\"{task}\""));

        var result = await PeftqaCli.Run("run", recipe, "--out", folder.Combine("run"), "--device", "cpu");

        result.ExitCode.Should().Be(0, result.Error);
        File.Exists(folder.Combine("run", "charts", $"through-sequence-{label}.png")).Should().BeTrue();
        File.Exists(folder.Combine("run", "studies", label, "answers", $"{task}.json")).Should().BeTrue();
    }

    [Fact]
    public async Task A_search_whose_choices_make_a_label_too_long_is_refused_by_the_dry_run()
    {
        using var folder = new TemporaryFolder();
        var (recipe, _, _) = TinyRuns.Create(folder, adapters: $$"""[{ "strategy": "lora", "label": "{{new string('l', 228)}}", "learningRate": [1e-3, 2e-3] }]""");

        var result = await PeftqaCli.Run("run", recipe, "--dry-run", "--device", "cpu");

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().Contain("tiny.json: $.adapters[0]: study label 'llllllllllllllllllll...lll lr=0.001' is 237 bytes as a file name; the limit is 234")
            .And.NotContain("   at ");
    }
}
