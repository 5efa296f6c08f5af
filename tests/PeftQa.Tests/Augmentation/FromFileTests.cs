using System.Text.Json;
using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Augmentation;
using PeftQa.Host.Foundation;
using PeftQa.Tests.Support;
using Xunit;
using Qa = (string Id, string Question, (string Text, int Start)[] Answers);

namespace PeftQa.Tests.Augmentation;

public sealed class FromFileTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private AugmentationSetup Setup => new(p => Path.Combine(folder.Path, p), "$.tasks[0].augment[0].options");

    private static readonly TrainingQuestion Given = new("given", "T", "ctx", "q?", [new AnswerSpan("ctx", 0)]);

    /// <summary>A SQuAD v1.1 file: one article per title, one paragraph per context, questions (id, question, answers).</summary>
    private string Squad(string name, params (string Title, string Context, Qa[] Qas)[] items)
    {
        var data = items.GroupBy(i => i.Title).Select(article => new
        {
            title = article.Key,
            paragraphs = article.Select(p => new
            {
                context = p.Context,
                qas = p.Qas.Select(q => new
                {
                    id = q.Id, question = q.Question, answers = q.Answers.Select(a => new { text = a.Text, answer_start = a.Start }),
                }),
            }),
        });
        return folder.WriteFile(name, JsonSerializer.Serialize(new { version = "1.1", data }));
    }

    private string GoodFile(int questions = 3) => Squad("extra.json",
        ("Rivers", "The Nile flows north. The Amazon is wide.",
            [.. Enumerable.Range(0, questions).Select(i => ($"x{i}", $"Which river {i}?", new[] { ("Nile", 4), ("The Nile", 0) }))]),
        ("Cities", "Lima is in Peru.", [("c1", "Where is Lima?", [("Peru", 11)])]));

    private IReadOnlyList<TrainingQuestion> Augment(FromFileOptions options, int seed = 1) =>
        new FromFile().Augment([Given], options, new AugmentationContext("task", new Random(seed), [], Setup));

    [Fact]
    public void Answer_starts_count_code_points_as_squad_does_so_text_after_an_emoji_is_found()
    {
        // "\U0001F600" is one code point (Python's len 1) but two UTF-16 units: SQuAD's answer_start for Paris is 2.
        Squad("emoji.json", ("Emoji", "\U0001F600 Paris is the capital.", [("e1", "What is the capital?", [("Paris", 2)])]));
        var options = new FromFileOptions { Path = "emoji.json" };

        new FromFile().Validate(options, Setup).Should().BeEmpty();
        var answer = Augment(options).Single().Answers.Single();

        answer.Start.Should().Be(3, "the UTF-16 index of Paris");
        "\U0001F600 Paris is the capital."[answer.Start..answer.End].Should().Be("Paris");
    }

    [Fact]
    public void Every_question_of_the_file_is_returned_with_its_id_title_and_answers()
    {
        GoodFile();
        var options = new FromFileOptions { Path = "extra.json" };

        new FromFile().Validate(options, Setup).Should().BeEmpty();
        var questions = Augment(options);

        questions.Select(q => q.Id).Should().Equal("x0", "x1", "x2", "c1");
        questions.Select(q => q.Title).Should().Equal("Rivers", "Rivers", "Rivers", "Cities");
        questions[3].Question.Should().Be("Where is Lima?");
        questions.Should().AllSatisfy(q =>
        {
            q.DerivedFrom.Should().BeNull();
            q.Answers.Should().NotBeEmpty().And.AllSatisfy(a => q.Context.Substring(a.Start, a.Text.Length).Should().Be(a.Text));
        });
        questions[0].Answers.Should().Equal(new AnswerSpan("Nile", 4), new AnswerSpan("The Nile", 0));
    }

    [Fact]
    public void Max_questions_is_a_seeded_sample_in_file_order()
    {
        GoodFile(questions: 20);
        var options = new FromFileOptions { Path = "extra.json", MaxQuestions = 5 };
        string[] Ids(int seed) => [.. Augment(options, seed).Select(q => q.Id)];
        var order = Augment(new FromFileOptions { Path = "extra.json" }).Select(q => q.Id).ToList();

        Ids(1).Should().HaveCount(5).And.Equal(Ids(1));
        Ids(1).Select(id => order.IndexOf(id)).Should().BeInAscendingOrder();
        string first = string.Join(",", Ids(1));
        Enumerable.Range(2, 5).Select(s => string.Join(",", Ids(s))).Should().Contain(s => s != first);
        Augment(new FromFileOptions { Path = "extra.json", MaxQuestions = 100 }).Should().HaveCount(21);
    }

    [Fact]
    public void Validate_names_the_file_and_each_question_with_a_bad_answer()
    {
        string file = Squad("bad.json", ("T", "The Nile flows north.",
        [
            ("ok", "Which river?", [("Nile", 4)]), ("off", "Which way?", [("north", 3)]), ("none", "Why?", []),
            ("past", "What?", [("flows", 400)]),
        ]));

        var problems = new FromFile().Validate(new FromFileOptions { Path = "bad.json" }, Setup);

        problems.Should().HaveCount(3).And.AllSatisfy(p => p.Should().StartWith("path: ").And.Contain(file));
        problems.Should().Contain(p => p.Contains("question off") && p.Contains("\"north\"") && p.Contains("answer_start 3"));
        problems.Should().Contain(p => p.Contains("question none") && p.Contains("no answers"));
        problems.Should().Contain(p => p.Contains("question past"));
        FluentActions.Invoking(() => Augment(new FromFileOptions { Path = "bad.json" })).Should().Throw<BadInputException>();
    }

    [Fact]
    public void Validate_lists_five_bad_questions_then_counts_the_rest()
    {
        Squad("many.json", ("T", "abc", [.. Enumerable.Range(0, 8).Select(i => ($"b{i}", "q?", new[] { ("abc", 1) }))]));

        var problems = new FromFile().Validate(new FromFileOptions { Path = "many.json" }, Setup);

        problems.Should().HaveCount(6);
        problems[^1].Should().EndWith("and 3 more problems with its questions");
    }

    [Fact]
    public void Validate_names_a_missing_file_one_that_is_not_json_and_one_not_in_squads_layout()
    {
        var fromFile = new FromFile();
        folder.WriteFile("text.json", "this is { not json");
        folder.WriteFile("list.json", "[1, 2, 3]");
        folder.WriteFile("nocontext.json", """{"data": [{"title": "T", "paragraphs": [{"qas": []}]}]}""");

        fromFile.Validate(new FromFileOptions(), Setup).Should().ContainSingle().Which.Should().StartWith("path: required");
        fromFile.Validate(new FromFileOptions { Path = "gone.json" }, Setup).Should().ContainSingle()
            .Which.Should().StartWith("path: ").And.Contain(folder.Combine("gone.json")).And.Contain("not found");
        fromFile.Validate(new FromFileOptions { Path = "text.json" }, Setup).Should().ContainSingle()
            .Which.Should().StartWith("path: ").And.Contain(folder.Combine("text.json")).And.Contain("not valid JSON");
        fromFile.Validate(new FromFileOptions { Path = "list.json" }, Setup).Should().ContainSingle()
            .Which.Should().Contain(folder.Combine("list.json")).And.Contain("SQuAD's layout");
        fromFile.Validate(new FromFileOptions { Path = "nocontext.json" }, Setup).Should().ContainSingle()
            .Which.Should().Contain("$.data[0].paragraphs[0]").And.Contain("\"context\"");
        fromFile.Validate(new FromFileOptions { Path = "nocontext.json", MaxQuestions = 0 }, Setup).Should().HaveCount(2)
            .And.Contain(p => p.StartsWith("maxQuestions:"));
    }
}
