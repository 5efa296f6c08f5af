using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Host.Data;
using PeftQa.Tests.Support;
using Xunit;
using PeftQa.Host.Foundation;

namespace PeftQa.Tests.Data;

public sealed class SquadReaderTests
{
    private static string Squad(params (string Context, (string Id, string Question, (string Text, int Start)[] Answers)[] Qas)[] paragraphs) =>
        new JsonObject
        {
            ["version"] = "1.1",
            ["data"] = new JsonArray(new JsonObject
            {
                ["title"] = "Article",
                ["paragraphs"] = new JsonArray(paragraphs.Select(p => (JsonNode?)new JsonObject
                {
                    ["context"] = p.Context,
                    ["qas"] = new JsonArray(p.Qas.Select(q => (JsonNode?)new JsonObject
                    {
                        ["id"] = q.Id, ["question"] = q.Question,
                        ["answers"] = new JsonArray(q.Answers.Select(a => (JsonNode?)new JsonObject { ["text"] = a.Text, ["answer_start"] = a.Start }).ToArray()),
                    }).ToArray()),
                }).ToArray()),
            }),
        }.ToJsonString();

    private static QaDataSet Read(string json, bool strict = false) => SquadReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "test.json", strict);

    [Fact]
    public void Good_data_is_read_with_every_gold_answer()
    {
        var data = Read(Squad(("Paris is the capital of France.", [("q1", "  What is the capital?", [("Paris", 0), ("Paris", 0)])])));

        data.Examples.Should().ContainSingle();
        var example = data.Examples[0];
        example.Question.Should().Be("What is the capital?", "leading spaces are stripped as run_qa.py does");
        example.Answers.Should().HaveCount(2);
        data.Summary.Should().BeEquivalentTo(new { Version = "1.1", Articles = 1, Paragraphs = 1, Questions = 1, Answers = 2, SkippedQuestions = 0 });
    }

    [Fact]
    public void Bad_items_are_skipped_and_named_by_id_repeated_ids_kept_and_noted_or_fail_in_strict_mode()
    {
        var json = Squad(
            ("Paris is the capital of France.", [("ok", "Q?", [("Paris", 0)]), ("moved", "Q?", [("Paris", 3)]), ("outside", "Q?", [("France", 99)])]),
            ("", [("empty", "Q?", [("x", 0)])]),
            ("Another context.", [("ok", "Repeated id?", [("Another", 0)])]));

        var data = Read(json);

        data.Examples.Select(e => e.Id).Should().Equal(["ok", "ok"], "a repeated id is kept, as the official script scores every question in the file");
        data.Summary.SkippedQuestions.Should().Be(3);
        data.Summary.Problems.Should().Contain(p => p.StartsWith("moved: answer \"Paris\" does not match the context at 3"))
            .And.Contain(p => p.StartsWith("outside: answer \"France\" at 99 lies outside its context"))
            .And.Contain(p => p.StartsWith("empty: empty context"))
            .And.Contain(p => p.StartsWith("ok: question id repeated"));
        var strict = () => Read(json, strict: true);
        strict.Should().Throw<BadInputException>().Which.Problems.Should().HaveCount(4).And.OnlyContain(p => p.StartsWith("test.json: "));
    }

    [Fact]
    public void Answer_start_counts_code_points_as_squad_does()
    {
        // U+20000 is one character to Python but two UTF-16 units to .NET.
        var context = "\U00020000 is a CJK character, and Paris a city.";
        int codePointStart = context.EnumerateRunes().Count() - "Paris a city.".Length;
        var data = Read(Squad((context, [("q", "Q?", [("Paris", codePointStart)])])));

        data.Summary.Problems.Should().BeEmpty();
        var answer = data.Examples.Single().Answers.Single();
        context.Substring(answer.Start, answer.Text.Length).Should().Be("Paris");
        answer.Start.Should().Be(codePointStart + 1);
    }

    [Fact]
    public void Large_articles_stream_through_a_small_buffer()
    {
        var paragraphs = Enumerable.Range(0, 400).Select(i => ($"Context number {i} mentions Paris and a lot of filler text {new string('x', 500)}.",
            new[] { ($"q{i}", "Where?", new[] { ("Paris", $"Context number {i} mentions ".Length) }) })).ToArray();

        var data = Read(Squad(paragraphs));

        data.Examples.Should().HaveCount(400);
        data.Summary.Problems.Should().BeEmpty();
    }

    [Fact]
    public void Truncated_or_foreign_json_is_rejected_with_a_reason()
    {
        var json = Squad(("Paris is the capital.", [("q", "Q?", [("Paris", 0)])]));
        var truncated = () => Read(json[..(json.Length - 20)]);
        truncated.Should().Throw<BadInputException>().Which.Message.Should().Contain("test.json").And.Contain("truncated");
        var foreign = () => Read("""{"version": "1", "rows": []}""");
        foreign.Should().Throw<BadInputException>().Which.Message.Should().Contain("no \"data\" array");
    }

    [Fact]
    public void The_real_squad_dev_file_reads_completely()
    {
        var data = SquadReader.Read(Path.Combine(TestEnvironment.SharedData, "squad-v1.1", "dev.json"), strict: true);

        data.Examples.Should().HaveCount(10570);
        data.Summary.Answers.Should().Be(34726);
        data.Summary.Articles.Should().Be(48);
        data.Summary.Paragraphs.Should().Be(2067);
    }

    [Fact]
    public async Task Data_check_prints_a_summary_with_bad_ids()
    {
        using var folder = new TemporaryFolder();
        var path = folder.WriteFile("bad.json", Squad(("Paris is the capital.", [("good", "Q?", [("Paris", 0)]), ("bad-1", "Q?", [("Rome", 0)])])));

        var result = await PeftqaCli.Run("data", "check", path);

        result.ExitCode.Should().Be(0, result.Error);
        result.Out.Should().Contain("questions").And.Contain("skipped questions").And.Contain("bad-1: answer \"Rome\" does not match");
    }
}
