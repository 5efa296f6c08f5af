using FluentAssertions;
using PeftQa.Host.Data;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Data;

[Collection(BuiltinModelCollection.Name)]
public sealed class FeatureBuilderTests(BuiltinModelFixture builtin)
{
    private const string Context = "The river flows north for two hundred kilometres before it reaches the old harbour town of Kestrel Bay, " +
                                   "where fishermen have landed herring since the twelfth century and where the lighthouse, built in 1874, still stands.";

    [Fact]
    public void Long_contexts_become_overlapping_windows_with_the_question_whole()
    {
        var example = new QaExample("e", "", Context, "When was the lighthouse built?", [new QaAnswer("1874", Context.IndexOf("1874"))], false);

        var features = new FeatureBuilder(builtin.Tokenizer, maxSequenceLength: 32, stride: 8).Build([example]);

        int questionLength = builtin.Tokenizer.Encode(example.Question).Length;
        features.Should().HaveCountGreaterThan(2);
        features.Should().OnlyContain(f => f.Length <= 32 && f.ContextTokenStart == questionLength + 2 && f.ExampleIndex == 0);
        for (int w = 1; w < features.Count; w++)
        {
            // Consecutive windows share exactly `stride` context tokens.
            var previous = features[w - 1].ContextOffsets.TakeLast(8);
            features[w].ContextOffsets.Take(8).Should().Equal(previous);
        }
        var allContext = features.SelectMany(f => f.ContextOffsets).Distinct().ToList();
        allContext.Should().Equal(builtin.Tokenizer.Tokenize(Context).Select(t => (t.Start, t.End)), "the windows cover the context in order");
    }

    [Fact]
    public void Labels_point_at_the_answer_tokens_or_at_cls_when_the_answer_is_not_in_the_window()
    {
        var answer = new QaAnswer("Kestrel Bay", Context.IndexOf("Kestrel Bay"));
        var example = new QaExample("e", "", Context, "Which town?", [answer], false);

        var features = new FeatureBuilder(builtin.Tokenizer, maxSequenceLength: 32, stride: 8).Build([example]);

        features.Should().Contain(f => f.StartPosition > 0);
        foreach (var feature in features)
        {
            var offsets = feature.ContextOffsets;
            bool inside = offsets[0].Start <= answer.Start && offsets[^1].End >= answer.End;
            if (!inside)
            {
                (feature.StartPosition, feature.EndPosition).Should().Be((0, 0));
                continue;
            }
            var start = offsets[feature.StartPosition - feature.ContextTokenStart].Start;
            var end = offsets[feature.EndPosition - feature.ContextTokenStart].End;
            Context[start..end].Should().Be("Kestrel Bay");
        }
    }

    [Fact]
    public void Windows_keep_example_order_when_contexts_are_shared()
    {
        var examples = Enumerable.Range(0, 6).Select(i => new QaExample($"q{i}", "", i % 2 == 0 ? Context : "Short context.", $"Question {i}?", [], true)).ToList();

        var features = new FeatureBuilder(builtin.Tokenizer, 384, 128).Build(examples);

        features.Select(f => f.ExampleIndex).Should().Equal(0, 1, 2, 3, 4, 5);
    }
}
