using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Reliability;

/// <summary>Command lines a hostile user might type: exit 2 before any work, naming the option and what it allows.</summary>
public sealed class HostileInputTests
{
    [Theory]
    [InlineData("score", "--data", "d.json", "--predictions", "p.json", "--metrics", "f1", "f1")]
    [InlineData("eval", "--model", "builtin:minilm-l6", "--data", "d.json", "--out", "o", "--metrics", "exact_match", "f1", "F1")]
    public async Task A_metric_given_twice_is_refused_before_any_work(params string[] args)
    {
        var result = await Cli.Run(args);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain($"--metrics: '{args[^2]}' is given twice; name each metric once")
            .And.NotContain("   at ");
    }
}
