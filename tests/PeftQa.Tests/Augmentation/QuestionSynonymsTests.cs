using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Augmentation;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Augmentation;

/// <summary>Against the real WordNet 3.0 in /usr/share/wordnet (Debian's wordnet-base, installed here and in CI).</summary>
public sealed class QuestionSynonymsTests
{
    private const string WordNetFolder = "/usr/share/wordnet";

    /// <summary>Ten words with synonyms and no stop word, so a paraphrase splits at ", " into the same ten places.</summary>
    private const string Words = "Car, driver, city, house, garden, river, mountain, teacher, doctor, window";

    private static readonly AugmentationSetup Setup = new(p => p, "$.options");

    private static TrainingQuestion Question(string question, params string[] answers) =>
        new("q1", "T", "Context: " + string.Join(" ", answers), question,
            [.. answers.Select(a => new AnswerSpan(a, ("Context: " + string.Join(" ", answers)).IndexOf(a, StringComparison.Ordinal)))]);

    private static IReadOnlyList<TrainingQuestion> Augment(TrainingQuestion question, QuestionSynonymsOptions options, int seed = 1) =>
        new QuestionSynonyms().Augment([question], options, new AugmentationContext("task", new Random(seed), [], Setup));

    private static int[] Replaced(string paraphrase) =>
        [.. paraphrase.Split(", ").Select((w, i) => (w, i)).Where(x => x.w != Words.Split(", ")[x.i]).Select(x => x.i)];

    [Fact]
    public void WordNet_gives_every_lemma_of_every_synset_of_a_word_and_of_its_base_form()
    {
        var wordNet = WordNet.Load(WordNetFolder);

        wordNet.Synonyms("car").Should().Contain(["automobile", "auto", "motorcar", "machine", "railcar"]).And.NotContain("car");
        wordNet.Synonyms("Car").Should().Equal(wordNet.Synonyms("car"));
        wordNet.Synonyms("cars").Should().Contain("automobile").And.NotContain("car");
        wordNet.Synonyms("buying").Should().Contain("purchase");
        wordNet.Synonyms("geese").Should().Contain("fathead", "geese is goose in noun.exc");
        wordNet.Synonyms("xyzzyq").Should().BeEmpty();
        WordNet.Load(WordNetFolder).Should().BeSameAs(wordNet, "a folder is read once");
    }

    [Fact]
    public void Each_copy_replaces_max_1_round_rate_times_words_distinct_words_with_a_synonym()
    {
        var wordNet = WordNet.Load(WordNetFolder);
        foreach (var (rate, expected) in new[] { (0.01, 1), (0.1, 1), (0.25, 3), (0.5, 5) })
        {
            var copies = Augment(Question(Words, "Paris"), new QuestionSynonymsOptions { Rate = rate, Copies = 4 });

            copies.Should().HaveCount(4);
            foreach (var copy in copies)
            {
                var replaced = Replaced(copy.Question);
                replaced.Should().HaveCount(expected, $"rate {rate} of 10 words");
                foreach (int i in replaced)
                {
                    string original = Words.Split(", ")[i];
                    string synonym = copy.Question.Split(", ")[i];
                    wordNet.Synonyms(original).Should().Contain(s => string.Equals(s, synonym, StringComparison.OrdinalIgnoreCase));
                    if (i == 0) char.IsUpper(synonym[0]).Should().BeTrue("the first letter's case is kept");
                }
            }
        }
    }

    [Fact]
    public void Words_of_an_answer_and_stop_words_are_never_replaced()
    {
        var copies = Augment(Question(Words, "the river garden"), new QuestionSynonymsOptions { Rate = 1, Copies = 8 });

        copies.Should().NotBeEmpty();
        copies.Should().AllSatisfy(c => Replaced(c.Question).Should().HaveCount(8).And.NotContain([4, 5]));

        var stops = Augment(Question("What is the name of the city?", "Lima"), new QuestionSynonymsOptions { Rate = 1, Copies = 5 });
        stops.Should().NotBeEmpty().And.AllSatisfy(c =>
        {
            c.Question.Should().StartWith("What is the ").And.Contain(" of the ").And.EndWith("?");
            c.Question.Should().NotContain(" name ").And.NotContain(" city?");
        });
        Augment(Question("What is it and who was there?", "x"), new QuestionSynonymsOptions { Rate = 1 }).Should().BeEmpty();
    }

    [Fact]
    public void Copies_have_new_ids_derived_from_the_question_the_same_context_and_answers_and_differ_from_each_other()
    {
        var question = Question(Words, "Paris");

        var copies = Augment(question, new QuestionSynonymsOptions { Copies = 4 });

        copies.Select(c => c.Id).Should().Equal("q1#syn1", "q1#syn2", "q1#syn3", "q1#syn4");
        copies.Select(c => c.Question).Should().OnlyHaveUniqueItems().And.NotContain(Words);
        copies.Should().AllSatisfy(c =>
        {
            c.DerivedFrom.Should().Be("q1");
            c.Context.Should().Be(question.Context);
            c.Title.Should().Be(question.Title);
            c.Answers.Should().Equal(question.Answers);
        });
        question.Question.Should().Be(Words);
    }

    [Fact]
    public void A_copy_equal_to_the_question_or_an_earlier_copy_is_dropped()
    {
        // "Bamako" has no synonym; "capital" has a few, so 30 copies of one replacement repeat.
        var copies = Augment(Question("Bamako capital", "Bamako"), new QuestionSynonymsOptions { Copies = 30 });

        copies.Should().HaveCountLessThan(30).And.HaveCountGreaterThan(1);
        copies.Select(c => c.Question).Should().OnlyHaveUniqueItems().And.NotContain("Bamako capital");
        copies.Select(c => c.Id).Should().Equal(Enumerable.Range(1, copies.Count).Select(k => $"q1#syn{k}"));
    }

    [Fact]
    public void The_same_seed_gives_the_same_copies_and_other_seeds_other_ones()
    {
        var options = new QuestionSynonymsOptions { Rate = 0.3 };
        string Questions(int seed) => string.Join("|", Augment(Question(Words, "Paris"), options, seed).Select(c => c.Question));

        Questions(3).Should().Be(Questions(3));
        Questions(4).Should().NotBe(Questions(3));
    }

    [Fact]
    public void Validate_accepts_wordnet_and_names_a_missing_or_foreign_folder()
    {
        using var folder = new TemporaryFolder();
        foreach (var pos in new[] { "noun", "verb", "adj", "adv" })
        {
            folder.WriteFile($"index.{pos}", "this is not wordnet\n");
            folder.WriteFile($"data.{pos}", "nor is this\n");
        }

        var synonyms = new QuestionSynonyms();
        synonyms.Validate(new QuestionSynonymsOptions(), Setup).Should().BeEmpty();
        synonyms.Validate(new QuestionSynonymsOptions { WordNet = "wn" }, new AugmentationSetup(p => p == "wn" ? WordNetFolder : p, ""))
            .Should().BeEmpty("a relative path is resolved through the setup");

        var missing = synonyms.Validate(new QuestionSynonymsOptions { WordNet = folder.Combine("nowhere") }, Setup).Should().ContainSingle().Subject;
        missing.Should().StartWith("wordNet: ").And.Contain(folder.Combine("nowhere")).And.Contain("apt-get install wordnet-base");

        var junk = synonyms.Validate(new QuestionSynonymsOptions { WordNet = folder.Path }, Setup).Should().ContainSingle().Subject;
        junk.Should().StartWith("wordNet: ").And.Contain(folder.Path).And.Contain("WordNet 3.0 dict folder");

        synonyms.Validate(new QuestionSynonymsOptions { Rate = 0, Copies = 0 }, Setup).Should().HaveCount(2)
            .And.Contain(p => p.StartsWith("rate:")).And.Contain(p => p.StartsWith("copies:"));
    }
}
