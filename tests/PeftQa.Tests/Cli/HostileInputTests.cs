using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Cli;

/// <summary>Command lines a hostile user might type: exit 2 before any work, naming the option and what it allows.</summary>
public sealed class HostileInputTests
{
    [Theory]
    [InlineData("score", "--data", "d.json", "--predictions", "p.json", "--metrics", "f1", "f1")]
    [InlineData("eval", "--model", "builtin:minilm-l6", "--data", "d.json", "--out", "o", "--metrics", "exact_match", "f1", "F1")]
    public async Task A_metric_given_twice_is_refused_before_any_work(params string[] args)
    {
        var result = await PeftqaCli.Run(args);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain($"--metrics: '{args[^2]}' is given twice; name each metric once")
            .And.NotContain("   at ");
    }

    [Theory]
    [InlineData("run", "r.json")]
    [InlineData("report", "runs/x")]
    [InlineData("status", "runs/x")]
    [InlineData("submit", "r.json", "--slurm", "--print")]
    [InlineData("bench")]
    public async Task An_empty_data_root_is_refused_before_any_work_by_every_verb_that_takes_one(params string[] args)
    {
        var result = await PeftqaCli.Run([.. args, "--data-root", " "]);

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Should().Contain("--data-root: is empty; give the folder that relative data paths resolve against")
            .And.NotContain("   at ", "a bad option is a message, never a stack trace");
    }

    [Theory]
    [InlineData("--device: 'gpu' is not one of auto, cpu, cuda", "--device", "gpu", "plugins", "list")]
    [InlineData("--cpus-per-task: 'x' is not a whole number (up to 2147483647)", "submit", "r.json", "--slurm", "--print", "--cpus-per-task", "x")]
    [InlineData("--threads: '99999999999' is not a whole number (up to 2147483647)", "--threads", "99999999999", "plugins", "list")]
    [InlineData("--engine: 'gpu' is not one of torch, onnx", "eval", "--model", "m", "--data", "d.json", "--out", "o", "--engine", "gpu")]
    [InlineData("--batch: '1.5' is not a whole number (up to 2147483647)", "bench", "--batch", "1.5")]
    [InlineData("--precision: 'BF16' is not one of auto, bf16, fp32", "run", "r.json", "--precision", "BF16")]
    [InlineData("--stage: 'train' is not one of baseline", "run", "r.json", "--stage", "train")]
    public async Task An_option_value_of_the_wrong_kind_is_named_in_words_not_as_a_dotnet_type(string expected, params string[] args)
    {
        var result = await PeftqaCli.Run(args);

        result.ExitCode.Should().Be(2);
        result.Error.Should().StartWith($"peftqa: {expected}\n").And.NotContain("System.").And.NotContain("PeftQa.Host");
    }
}
