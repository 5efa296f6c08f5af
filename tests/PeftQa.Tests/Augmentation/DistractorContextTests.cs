using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Augmentation;
using Xunit;

namespace PeftQa.Tests.Augmentation;

public sealed class DistractorContextTests
{
    private const string Gold = "Paris is the capital of France.";

    private static readonly ContextParagraph[] Paragraphs =
    [
        new("France", Gold), new("France", "France borders Spain."), new("France", "The Loire is a river."),
        new("Peru", "Lima is the capital of Peru."), new("Peru", "Peru has the Andes."), new("Mali", "Bamako lies on the Niger."),
    ];

    private static readonly TrainingQuestion Question =
        new("q1", "France", Gold, "What is the capital of France?", [new AnswerSpan("Paris", 0), new AnswerSpan("France", 24)]);

    private static AugmentationContext Context(int seed, params ContextParagraph[] paragraphs) =>
        new("task", new Random(seed), paragraphs.Length > 0 ? paragraphs : Paragraphs, new AugmentationSetup(p => p, "$.options"));

    private static IReadOnlyList<TrainingQuestion> Augment(DistractorContextOptions options, int seed = 1, params TrainingQuestion[] questions) =>
        new DistractorContext().Augment(questions.Length > 0 ? questions : [Question], options, Context(seed));

    private static void AnswersPointAtTheirText(TrainingQuestion q)
    {
        q.Answers.Should().NotBeEmpty();
        foreach (var a in q.Answers) q.Context.Substring(a.Start, a.Text.Length).Should().Be(a.Text);
    }

    [Theory]
    [InlineData("before")]
    [InlineData("after")]
    [InlineData("both")]
    [InlineData("random")]
    public void Answers_are_shifted_by_what_was_put_before_the_gold_paragraph(string position)
    {
        var copies = Augment(new() { Position = position, Paragraphs = 2, Copies = 3 });

        copies.Should().HaveCount(3);
        foreach (var copy in copies)
        {
            AnswersPointAtTheirText(copy);
            copy.Context.Should().Contain(Gold).And.NotBe(Gold);
            int goldAt = copy.Context.IndexOf(Gold, StringComparison.Ordinal);
            copy.Answers.Select(a => a.Start).Should().Equal(goldAt, goldAt + 24);
            copy.Context.Split("\n\n").Should().HaveCount(3).And.ContainSingle(p => p == Gold);
        }
    }

    [Fact]
    public void Before_after_and_both_place_the_distractors_where_asked()
    {
        Augment(new() { Position = "before", Paragraphs = 2 }).Single().Context.Should().EndWith("\n\n" + Gold);
        Augment(new() { Position = "after", Paragraphs = 2 }).Single().Context.Should().StartWith(Gold + "\n\n");
        var both = Augment(new() { Position = "both", Paragraphs = 2, Separator = " | " }).Single();
        both.Context.Split(" | ").Should().HaveCount(3).And.Subject.ElementAt(1).Should().Be(Gold);
        both.Answers[0].Start.Should().Be(both.Context.IndexOf(Gold, StringComparison.Ordinal));
    }

    [Fact]
    public void A_copy_gets_a_new_id_derived_from_the_question_and_keeps_the_rest()
    {
        var copies = Augment(new() { Copies = 3 });

        copies.Select(c => c.Id).Should().Equal("q1#ctx1", "q1#ctx2", "q1#ctx3");
        copies.Should().AllSatisfy(c =>
        {
            c.DerivedFrom.Should().Be("q1");
            c.Title.Should().Be("France");
            c.Question.Should().Be(Question.Question);
            c.Answers.Select(a => a.Text).Should().Equal("Paris", "France");
        });
        Question.Context.Should().Be(Gold, "the given question is not changed");
        Question.Answers[1].Start.Should().Be(24);
    }

    [Fact]
    public void Same_article_draws_only_the_articles_other_paragraphs_and_any_article_draws_from_all()
    {
        var sameArticle = Augment(new() { Paragraphs = 5, Position = "after", Copies = 5 });
        sameArticle.Should().AllSatisfy(c =>
            c.Context.Split("\n\n").Skip(1).Should().BeEquivalentTo(["France borders Spain.", "The Loire is a river."]));

        var drawn = Enumerable.Range(0, 20).SelectMany(seed => Augment(new() { From = "any-article", Position = "after" }, seed))
            .Select(c => c.Context.Split("\n\n")[1]).ToHashSet();
        drawn.Should().Contain(p => p.Contains("Peru") || p.Contains("Niger"), "any-article draws from other articles");
        drawn.Should().NotContain(Gold);
    }

    [Fact]
    public void The_gold_paragraph_is_never_a_distractor()
    {
        var duplicates = new ContextParagraph[] { new("France", Gold), new("Other", Gold), new("France", "France borders Spain.") };
        for (int seed = 0; seed < 30; seed++)
        {
            var copy = new DistractorContext().Augment([Question], new DistractorContextOptions { From = "any-article", Paragraphs = 3 },
                Context(seed, duplicates)).Single();
            copy.Context.Split("\n\n").Count(p => p == Gold).Should().Be(1);
            AnswersPointAtTheirText(copy);
        }
    }

    [Fact]
    public void A_question_whose_article_has_no_other_paragraph_gets_no_copy_with_same_article()
    {
        var lonely = new TrainingQuestion("q2", "Mali", "Bamako lies on the Niger.", "Where is Bamako?", [new AnswerSpan("Niger", 19)]);

        var copies = Augment(new() { Copies = 2 }, 1, lonely, Question);

        copies.Select(c => c.DerivedFrom).Should().Equal("q1", "q1");
        Augment(new() { From = "any-article" }, 1, lonely).Should().ContainSingle().Which.Id.Should().Be("q2#ctx1");
    }

    [Fact]
    public void The_same_seed_gives_the_same_copies_and_other_seeds_other_ones()
    {
        var options = new DistractorContextOptions { From = "any-article", Paragraphs = 2, Copies = 2 };
        string Contexts(int seed) => string.Join("|", Augment(options, seed).Select(c => c.Context));

        string seven = Contexts(7);
        Contexts(7).Should().Be(seven);
        Enumerable.Range(8, 5).Select(Contexts).Should().Contain(c => c != seven);
    }

    [Fact]
    public void Validate_names_each_wrong_option()
    {
        var setup = new AugmentationSetup(p => p, "$.options");
        var problems = new DistractorContext().Validate(
            new DistractorContextOptions { Position = "middle", From = "web", Paragraphs = 0, Copies = 0, Separator = "" }, setup);

        problems.Should().HaveCount(5);
        problems.Should().Contain(p => p.StartsWith("position:") && p.Contains("middle"));
        problems.Should().Contain(p => p.StartsWith("from:") && p.Contains("web"));
        problems.Should().Contain(p => p.StartsWith("paragraphs:"));
        problems.Should().Contain(p => p.StartsWith("copies:"));
        problems.Should().Contain(p => p.StartsWith("separator:"));
        new DistractorContext().Validate(new DistractorContextOptions { Position = "both" }, setup).Should().ContainSingle()
            .Which.Should().StartWith("position:");
        new DistractorContext().Validate(new DistractorContextOptions(), setup).Should().BeEmpty();
    }

    [Fact]
    public void The_bundled_augmentations_are_one_of_each()
    {
        BundledAugmentations.All().Select(a => a.Name).Should().Equal("distractor-context", "question-synonyms", "from-file");
        BundledAugmentations.All().Should().AllSatisfy(a => Activator.CreateInstance(a.OptionsType).Should().NotBeNull());
    }
}
