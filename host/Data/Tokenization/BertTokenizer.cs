using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace PeftQa.Host.Data.Tokenization;

/// <summary>
/// Uncased BERT tokenization with exact offsets: <see cref="BasicTokenizer"/> (our own, tracking the original text)
/// then Microsoft.ML.Tokenizers' WordPieceTokenizer on each word. Microsoft.ML.Tokenizers' BertTokenizer is not used:
/// it deletes tab/newline (merging words), drops symbols such as $ + = &lt; &gt; | ~ ^ ` ° © and emoji, and reports
/// offsets into its own normalized text (dotnet/machinelearning#7724, #7725).
/// Thread-safe; word pieces are cached per normalized word.
/// </summary>
public sealed class BertTokenizer
{
    /// <summary>Hugging Face's max_input_chars_per_word: longer words become [UNK].</summary>
    public const int MaxCharsPerWord = 100;

    private readonly WordPieceTokenizer wordPiece;
    private readonly string[] vocabulary;
    private readonly ConcurrentDictionary<string, (int Id, int Start, int End)[]> cache = new(StringComparer.Ordinal);

    public BertTokenizer(string vocabPath)
    {
        vocabulary = File.ReadAllLines(vocabPath);
        using var stream = File.OpenRead(vocabPath);
        wordPiece = WordPieceTokenizer.Create(stream, new WordPieceOptions { PreTokenizer = null, Normalizer = null });
        ClsId = RequireId("[CLS]", vocabPath);
        SepId = RequireId("[SEP]", vocabPath);
        PadId = RequireId("[PAD]", vocabPath);
        UnknownId = RequireId("[UNK]", vocabPath);
    }

    public int ClsId { get; }

    public int SepId { get; }

    public int PadId { get; }

    public int UnknownId { get; }

    /// <summary>The word pieces of <paramref name="text"/>, each with its span in <paramref name="text"/>.</summary>
    public List<SpanToken> Tokenize(string text)
    {
        var tokens = new List<SpanToken>();
        foreach (var word in BasicTokenizer.Split(text))
        {
            foreach (var (id, start, end) in cache.GetOrAdd(word.Text, Pieces))
                tokens.Add(new SpanToken(id, word.Sources[start].Start, word.Sources[end - 1].End));
        }
        return tokens;
    }

    /// <summary>The vocabulary entry for <paramref name="id"/> (word pieces keep their ## prefix).</summary>
    public string TokenText(int id) => vocabulary[id];

    /// <summary>Ids only, as a model input without special tokens.</summary>
    public int[] Encode(string text) => Tokenize(text).Select(t => t.Id).ToArray();

    private (int Id, int Start, int End)[] Pieces(string word)
    {
        if (word.EnumerateRunes().Count() > MaxCharsPerWord) return [(UnknownId, 0, word.Length)];
        var encoded = wordPiece.EncodeToTokens(word, out _);
        if (encoded.Count == 0) return [(UnknownId, 0, word.Length)];
        var pieces = new (int, int, int)[encoded.Count];
        for (int i = 0; i < encoded.Count; i++)
        {
            var (offset, length) = encoded[i].Offset.GetOffsetAndLength(word.Length);
            pieces[i] = (encoded[i].Id, offset, offset + Math.Max(length, 1));
        }
        return pieces;
    }

    private int RequireId(string token, string vocabPath)
    {
        var ids = wordPiece.EncodeToIds(token);
        if (ids.Count == 1 && ids[0] != wordPiece.UnknownTokenId || token == "[UNK]") return token == "[UNK]" ? wordPiece.UnknownTokenId : ids[0];
        throw new InvalidDataException($"{vocabPath}: the vocabulary has no {token} token");
    }
}
