using System.Text.Json;
using FluentAssertions;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace PeftQa.Tests.Data;

[Collection(BuiltinModelCollection.Name)]
public sealed class TokenizerTests(BuiltinModelFixture builtin, ITestOutputHelper output)
{
    private BertTokenizer Tokenizer => builtin.Tokenizer;

    /// <summary>FastBertTokenizer (MIT, follows Hugging Face) as a reference nobody here wrote: ids only, no offsets.</summary>
    [Fact]
    public async Task Ids_equal_the_reference_tokenizer_for_every_squad_dev_context_and_question()
    {
        var reference = new FastBertTokenizer.BertTokenizer();
        await reference.LoadVocabularyAsync(builtin.Loaded.VocabPath, convertInputToLowercase: true);
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestEnvironment.SharedData, "squad-v1.1", "dev.json")));
        var texts = new List<string>();
        foreach (var article in document.RootElement.GetProperty("data").EnumerateArray())
        foreach (var paragraph in article.GetProperty("paragraphs").EnumerateArray())
        {
            texts.Add(paragraph.GetProperty("context").GetString()!);
            texts.AddRange(paragraph.GetProperty("qas").EnumerateArray().Select(q => q.GetProperty("question").GetString()!));
        }

        var mismatches = new List<string>();
        foreach (var text in texts)
        {
            var expected = reference.Encode(text, maximumTokens: 100_000).InputIds.ToArray();
            int[] ours = [Tokenizer.ClsId, .. Tokenizer.Encode(text), Tokenizer.SepId];
            if (!expected.Select(id => (int)id).SequenceEqual(ours)) mismatches.Add(text.Length > 80 ? text[..80] + "..." : text);
        }

        output.WriteLine($"{texts.Count} texts compared, {mismatches.Count} differ");
        texts.Should().HaveCount(2067 + 10570);
        mismatches.Should().BeEmpty();
    }

    [Theory]
    [InlineData("The Île-de-France region")]
    [InlineData("un café naïve résumé")]
    [InlineData("北京是中国的首都")]
    [InlineData("emoji 😀 and ✨ sparkle")]
    [InlineData("repeated     spaces\tand\ttabs\nand\r\nnewlines")]
    [InlineData("control\u0001chars\u200bhere\u00ad")]
    [InlineData("$5 million + 3 = <x> | ~y ^z `q` 30°C ©2020")]
    [InlineData("naive\tcafe")]
    [InlineData("İstanbul ΣΊΣΥΦΟΣ")]
    [InlineData("a very long word: " + "pneumonoultramicroscopicsilicovolcanoconiosis")]
    public void Each_token_span_cuts_its_own_characters_from_the_original_text(string text)
    {
        var tokens = Tokenizer.Tokenize(text);

        tokens.Should().NotBeEmpty();
        foreach (var token in tokens)
        {
            token.Start.Should().BeGreaterThanOrEqualTo(0);
            token.End.Should().BeGreaterThan(token.Start).And.BeLessThanOrEqualTo(text.Length);
            var piece = Tokenizer.TokenText(token.Id);
            if (piece == "[UNK]") continue;
            var cut = text[token.Start..token.End];
            Simplify(cut).Should().Be(piece.StartsWith("##") ? piece[2..] : piece, $"token {piece} at [{token.Start}, {token.End}) of \"{text}\"");
        }
        tokens.Zip(tokens.Skip(1)).Should().OnlyContain(pair => pair.First.End <= pair.Second.Start, "spans are in order and do not overlap");
    }

    [Theory]
    [InlineData("The budget was $5 million in 1990.", "$5 million")]
    [InlineData("Paris is the capital of France.", "Paris")]
    [InlineData("She moved to Île-de-France\tin 2001.", "Île-de-France")]
    [InlineData("Temperature: 30°C (measured ©NOAA).", "30°C")]
    [InlineData("Prices rose 5% (≈ €3) — see «notes».", "€3")]
    [InlineData("北京是中国的首都", "中国")]
    public void Cutting_at_a_predicted_token_span_reproduces_the_answer(string context, string answer)
    {
        int answerStart = context.IndexOf(answer, StringComparison.Ordinal);
        var tokens = Tokenizer.Tokenize(context);
        var inside = tokens.Where(t => t.Start >= answerStart && t.End <= answerStart + answer.Length).ToList();

        inside.Should().NotBeEmpty();
        context[inside.First().Start..inside.Last().End].Should().Be(answer);
    }

    [Fact]
    public void Tab_newline_and_symbols_are_not_lost()
    {
        Tokenizer.Tokenize("naive\tcafe").Select(t => Tokenizer.TokenText(t.Id)).Should().Equal("naive", "cafe");
        Tokenizer.Tokenize("$5 + 3 = 8").Select(t => Tokenizer.TokenText(t.Id)).Should().Equal("$", "5", "+", "3", "=", "8");
    }

    /// <summary>What the tokenizer's normalization makes of an original span: lowercase, accents stripped.</summary>
    private static string Simplify(string text) =>
        string.Concat(BasicTokenizer.Split(text).Select(w => w.Text));
}
