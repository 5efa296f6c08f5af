using FluentAssertions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Runs;
using Xunit;

namespace PeftQa.Tests.Runs;

/// <summary>--shard K/N and auto: which studies a process takes, and the refusals.</summary>
public sealed class ShardTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void A_shard_takes_the_studies_whose_index_modulo_the_count_is_its_own()
    {
        string[] studies = ["a", "b", "c", "d", "e"];
        Shard.Parse("0/2", Environment()).Select(studies).Should().Equal("a", "c", "e");
        Shard.Parse("1/2", Environment()).Select(studies).Should().Equal("b", "d");
        Enumerable.Range(0, 3).SelectMany(k => new Shard(k, 3).Select(studies)).Should().BeEquivalentTo(studies, "every study in exactly one shard");
    }

    [Theory]
    [InlineData("3/2", "shard 3 of 2 does not exist; K must be 0 to 1")]
    [InlineData("-1/2", "shard -1 of 2 does not exist")]
    [InlineData("2/2", "shard 2 of 2 does not exist")]
    [InlineData("0/0", "the shard count must be at least 1")]
    [InlineData("1", "expected K/N")]
    [InlineData("a/b", "expected K/N")]
    [InlineData("auto", "neither SLURM_ARRAY_TASK_ID")]
    public void Bad_shards_are_refused_with_the_reason(string text, string message)
    {
        var parse = () => Shard.Parse(text, Environment());
        parse.Should().Throw<BadInputException>().Which.Message.Should().Contain(message);
    }

    [Fact]
    public void Auto_reads_a_Slurm_array_task_counting_from_the_arrays_first_index()
    {
        Shard.Parse("auto", Environment(("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "4"))).Should().Be(new Shard(2, 4));
        Shard.Parse("auto", Environment(("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_MIN", "4"), ("SLURM_ARRAY_TASK_COUNT", "3"))).Should().Be(new Shard(1, 3));
    }

    [Fact]
    public void Auto_reads_a_Kubernetes_completion_index_with_the_count_it_is_given()
    {
        Shard.Parse("auto", Environment(("JOB_COMPLETION_INDEX", "1"), (Shard.CountVariable, "3"))).Should().Be(new Shard(1, 3));
        var noCount = () => Shard.Parse("auto", Environment(("JOB_COMPLETION_INDEX", "1")));
        noCount.Should().Throw<BadInputException>().Which.Message.Should().Contain("must set PEFTQA_SHARD_COUNT");
    }

    [Fact]
    public void More_shards_than_studies_are_refused_because_some_would_have_none()
    {
        var check = () => new Shard(0, 5).CheckAgainst(4);
        check.Should().Throw<BadInputException>().Which.Message.Should().Contain("the plan has 4 studies, so shards 4 to 4 would have none; use at most 4 shards");
        new Shard(3, 4).Invoking(s => s.CheckAgainst(4)).Should().NotThrow();
    }
}
