using FluentAssertions;
using PeftQa.Host.Data;
using PeftQa.Host.Evaluation;
using Xunit;

namespace PeftQa.Tests.Evaluation;

public sealed class AnswerExtractorTests
{
    // Context "Paris is big" as tokens: Paris [0,5) is [6,8) big [9,12); the window is [CLS] q [SEP] Paris is big [SEP].
    private const string Context = "Paris is big";
    private static readonly QaExample Example = new("e", "", Context, "q", [new QaAnswer("Paris", 0)], false);
    private static readonly QaFeature Window = new(0, [101, 7, 102, 11, 12, 13, 102], 3, [(0, 5), (6, 8), (9, 12)], 0, 0);

    private static FeatureLogits Logits(float[] start, float[] end) => new(start, end);

    [Fact]
    public void The_best_valid_span_wins_and_is_cut_from_the_original_context()
    {
        //                         CLS   q  SEP Paris is  big SEP
        var logits = Logits([9, 8, 0, 5, 1, 0, 9], [9, 0, 9, 4, 0, 2, 0]);

        var answer = AnswerExtractor.Extract([Example], [Window], [logits], 20, 30, allowNoAnswer: false)[0];

        answer.Text.Should().Be("Paris", "CLS, question and SEP positions are never answers");
        answer.Score.Should().Be(9);
        answer.Start.Should().Be(0);
    }

    [Fact]
    public void Reversed_and_too_long_spans_are_dropped()
    {
        // start "big" + end "Paris" scores 17 but ends before it starts.
        var reversed = Logits([0, 0, 0, 1, 0, 9, 0], [0, 0, 0, 8, 0, 1, 0]);
        AnswerExtractor.Extract([Example], [Window], [reversed], 20, 30, false)[0].Text.Should().Be("big");

        // "Paris is big" (18) is three tokens long.
        var long_ = Logits([0, 0, 0, 9, 0, 0, 0], [0, 0, 0, 1, 0, 9, 0]);
        AnswerExtractor.Extract([Example], [Window], [long_], 20, 30, false)[0].Text.Should().Be("Paris is big");
        AnswerExtractor.Extract([Example], [Window], [long_], 20, maxAnswerLength: 2, false)[0].Text.Should().Be("Paris");
    }

    [Fact]
    public void Windows_of_one_example_are_pooled()
    {
        var second = Window with { ContextOffsets = [(6, 8), (9, 12), (9, 12)] };
        var weak = Logits([0, 0, 0, 1, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0]);
        var strong = Logits([0, 0, 0, 0, 7, 0, 0], [0, 0, 0, 0, 7, 0, 0]);

        var answer = AnswerExtractor.Extract([Example], [Window, second], [weak, strong], 20, 30, false)[0];

        answer.Text.Should().Be("big");
        answer.Score.Should().Be(14);
    }

    [Fact]
    public void Squad_v2_null_answer_wins_when_it_beats_the_best_span_by_more_than_the_threshold()
    {
        var logits = Logits([6, 0, 0, 2, 0, 0, 0], [6, 0, 0, 2, 0, 0, 0]);

        AnswerExtractor.Extract([Example], [Window], [logits], 20, 30, allowNoAnswer: true)[0].Text.Should().BeEmpty();
        AnswerExtractor.Extract([Example], [Window], [logits], 20, 30, allowNoAnswer: true, nullThreshold: 10)[0].Text.Should().Be("Paris");
        AnswerExtractor.Extract([Example], [Window], [logits], 20, 30, allowNoAnswer: false)[0].Text.Should().Be("Paris");
    }
}
