using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Plugins.Metrics;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.BundledPlugins.Metrics;

/// <summary>
/// EM and F1 against values worked out by hand from evaluate-v1.1.py's rules, on predictions that exercise each rule:
/// case, ASCII punctuation (only ASCII), the articles a/an/the as whole words only, whitespace of every kind, token
/// multisets, the best of several gold answers, and the empty-after-normalization corner.
/// </summary>
public sealed class OfficialMetricTests
{
    /// <summary>(prediction, gold answers, EM, F1) — EM and F1 computed by hand.</summary>
    public static readonly (string Prediction, string[] Gold, double Em, double F1)[] Cases =
    [
        ("The Eiffel Tower", ["Eiffel Tower"], 1, 1),
        ("eiffel tower!!!", ["the Eiffel Tower."], 1, 1),
        ("a  cat\tand\nan owl", ["cat and owl"], 1, 1),
        ("theater", ["the ater"], 0, 0),                        // "the" inside a word stays; gold -> "ater"
        ("1990s", ["1990"], 0, 0),
        ("in 1990", ["1990", "in the year 1990"], 0, 0.8),      // best gold: P = 1, R = 2/3
        ("the the the", ["the"], 1, 0),                         // both normalize to "": EM 1, but F1 0 (no common token)
        ("New York New York", ["New York"], 0, 2.0 / 3),        // multiset overlap 2: P = 1/2, R = 1
        ("\u201cParis\u201d", ["Paris"], 0, 0),                 // curly quotes are not ASCII punctuation
        ("", ["Paris"], 0, 0),
        ("U.S.A.", ["USA"], 1, 1),
        ("rock-n-roll band", ["rock n roll"], 0, 0),            // "rocknroll band" vs "rock n roll"
    ];

    private static AnswerPair[] Pairs => Cases.Select((c, i) => new AnswerPair($"q{i}", c.Prediction, c.Gold)).ToArray();

    [Fact]
    public void Exact_match_and_f1_equal_the_hand_computed_official_values()
    {
        double expectedEm = 100.0 * 5 / 12;
        double expectedF1 = 100.0 * (4.8 + 2.0 / 3) / 12;

        new ExactMatchMetric().Compute(Pairs).Should().BeApproximately(expectedEm, 1e-9);
        new F1Metric().Compute(Pairs).Should().BeApproximately(expectedF1, 1e-9);
        for (int i = 0; i < Cases.Length; i++)
        {
            var single = new[] { Pairs[i] };
            new ExactMatchMetric().Compute(single).Should().BeApproximately(100 * Cases[i].Em, 1e-9, $"case {i}: {Cases[i].Prediction}");
            new F1Metric().Compute(single).Should().BeApproximately(100 * Cases[i].F1, 1e-9, $"case {i}: {Cases[i].Prediction}");
        }
    }

    [Fact]
    public async Task Peftqa_score_prints_the_official_format_with_the_same_values()
    {
        using var folder = new TemporaryFolder();
        const string context = "Filler context that holds every gold answer: Eiffel Tower, the Eiffel Tower., cat and owl, the ater, 1990, in the year 1990, the, New York, Paris, USA, rock n roll.";
        var qas = new JsonArray();
        for (int i = 0; i < Cases.Length; i++)
        {
            var answers = new JsonArray(Cases[i].Gold.Select(g => (JsonNode?)new JsonObject { ["text"] = g, ["answer_start"] = context.IndexOf(g, StringComparison.Ordinal) }).ToArray());
            qas.Add(new JsonObject { ["id"] = $"q{i}", ["question"] = $"question {i}?", ["answers"] = answers });
        }
        var data = new JsonObject
        {
            ["version"] = "1.1",
            ["data"] = new JsonArray(new JsonObject { ["title"] = "t", ["paragraphs"] = new JsonArray(new JsonObject { ["context"] = context, ["qas"] = qas }) }),
        };
        var dataPath = folder.WriteFile("data.json", data.ToJsonString());
        var predictions = new JsonObject(Cases.Select((c, i) => KeyValuePair.Create($"q{i}", (JsonNode?)c.Prediction)));
        var predictionsPath = folder.WriteFile("predictions.json", predictions.ToJsonString());

        var result = await PeftqaCli.Run("score", "--data", dataPath, "--predictions", predictionsPath);

        result.ExitCode.Should().Be(0, result.Error);
        var scores = JsonNode.Parse(result.Out)!.AsObject();
        scores.Select(p => p.Key).Should().Equal("exact_match", "f1");
        scores["exact_match"]!.GetValue<double>().Should().BeApproximately(100.0 * 5 / 12, 1e-9);
        scores["f1"]!.GetValue<double>().Should().BeApproximately(100.0 * (4.8 + 2.0 / 3) / 12, 1e-9);
    }

    [Fact]
    public void Bleu_follows_sacrebleu_on_hand_computed_corpora()
    {
        var bleu = new BleuMetric();
        bleu.Compute([new AnswerPair("1", "the cat sat on the mat", ["the cat sat on the mat"])]).Should().BeApproximately(100, 1e-9);
        // All n-gram precisions 100; prediction 9 tokens, closest references 6 + 4 = 10: brevity penalty exp(1 - 10/9).
        bleu.Compute([new AnswerPair("1", "the cat sat on the mat", ["the cat sat on the mat"]), new AnswerPair("2", "a dog ran", ["a dog ran fast", "a big dog ran away"])])
            .Should().BeApproximately(100 * Math.Exp(1 - 10.0 / 9), 1e-9);
        // No 4-gram can exist: sacrebleu gives 0 without effective order.
        bleu.Compute([new AnswerPair("1", "the cat", ["the cat sat on the mat"])]).Should().BeApproximately(0, 1e-9);
        bleu.Signature.Should().Contain("tok:13a").And.Contain("smooth:exp").And.Contain("case:mixed");
    }

    [Fact]
    public void The_13a_tokenizer_splits_like_mteval()
    {
        SacreBleuTokenizer13a.Tokenize("Hello, world! It's 3.5-4 km.").Should().Equal("Hello", ",", "world", "!", "It's", "3.5", "-", "4", "km", ".");
        SacreBleuTokenizer13a.Tokenize("a &amp; b &lt;c&gt;").Should().Equal("a", "&", "b", "<", "c", ">");
    }

    [Fact]
    public void Rouge_l_is_the_lcs_f_measure_with_unicode_tokens()
    {
        var rouge = new RougeLMetric();
        rouge.Compute([new AnswerPair("1", "the cat was found under the bed", ["the cat was under the bed"])]).Should().BeApproximately(100 * 12.0 / 13, 1e-9);
        rouge.Compute([new AnswerPair("1", "Café Zürich", ["café zürich", "somewhere else"])]).Should().BeApproximately(100, 1e-9);
        rouge.Compute([new AnswerPair("1", "", ["x"])]).Should().Be(0);
    }
}
