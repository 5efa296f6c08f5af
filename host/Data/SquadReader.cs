using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Data;

/// <summary>
/// Reads SQuAD v1.1 and v2.0 JSON as a stream: articles are parsed one at a time from a sliding buffer, so file size
/// does not matter. Every answer is checked against its context; bad items are skipped and counted (or, in strict mode,
/// reported as errors), each problem naming the question id.
/// </summary>
public static class SquadReader
{
    private const int MaxProblemsKept = 1000;

    private sealed record Answer([property: JsonPropertyName("text")] string? Text, [property: JsonPropertyName("answer_start")] int? AnswerStart);

    private sealed record Question(
        [property: JsonPropertyName("id")] string? Id,
        [property: JsonPropertyName("question")] string? Text,
        [property: JsonPropertyName("answers")] List<Answer>? Answers,
        [property: JsonPropertyName("is_impossible")] bool? IsImpossible);

    private sealed record Paragraph(
        [property: JsonPropertyName("context")] string? Context,
        [property: JsonPropertyName("qas")] List<Question>? Qas);

    private sealed record Article(
        [property: JsonPropertyName("title")] string? Title,
        [property: JsonPropertyName("paragraphs")] List<Paragraph>? Paragraphs);

    public static QaDataSet Read(string path, bool strict = false)
    {
        if (Directory.Exists(path)) throw new BadInputException($"{path}: is a folder; name a SQuAD-format JSON file");
        if (!File.Exists(path)) throw new BadInputException($"{path}: data file not found");
        FileStream stream;
        try { stream = File.OpenRead(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{path}: cannot read: {e.Message}");
        }
        using var _ = stream;
        return Read(stream, path, strict);
    }

    public static QaDataSet Read(Stream stream, string source, bool strict = false)
    {
        var examples = new List<QaExample>();
        var problems = new List<string>();
        var seenIds = new Dictionary<string, string>(StringComparer.Ordinal);
        int articles = 0, paragraphs = 0, questions = 0, answers = 0, unanswerable = 0, skipped = 0;
        string? version = null;

        void Problem(string message)
        {
            if (problems.Count < MaxProblemsKept) problems.Add(message);
        }

        try
        {
            foreach (var (name, article) in StreamTopLevel(stream, source, v => version = v))
            {
                _ = name;
                articles++;
                var title = article.Title ?? $"article {articles}";
                foreach (var paragraph in article.Paragraphs ?? [])
                {
                    paragraphs++;
                    var qas = paragraph.Qas ?? [];
                    if (string.IsNullOrEmpty(paragraph.Context))
                    {
                        foreach (var q in qas)
                            Problem($"{q.Id ?? "(no id)"}: empty context in \"{title}\"; give the paragraph its context text or remove it");
                        questions += qas.Count;
                        skipped += qas.Count;
                        continue;
                    }
                    foreach (var q in qas)
                    {
                        questions++;
                        if (string.IsNullOrEmpty(q.Id) || string.IsNullOrWhiteSpace(q.Text))
                        {
                            Problem($"{q.Id ?? "(no id)"}: a question in \"{title}\" has no {(string.IsNullOrEmpty(q.Id) ? "id" : "question text")}");
                            skipped++;
                            continue;
                        }
                        // Kept, not skipped: the official evaluate-v1.1.py scores every question in the file, so a repeated
                        // id counts once per occurrence (against the id's one prediction); skipping it would change the score.
                        if (seenIds.TryGetValue(q.Id, out var firstTitle))
                            Problem($"{q.Id}: question id repeated (first seen in \"{firstTitle}\"); " +
                                    "kept and scored once per occurrence against the id's one prediction, " +
                                    "as the official script does; rename one to score them apart");
                        else seenIds[q.Id] = title;
                        bool impossible = q.IsImpossible == true;
                        var valid = new List<QaAnswer>();
                        foreach (var a in q.Answers ?? [])
                        {
                            answers++;
                            if (a.Text is null || a.AnswerStart is not { } codePointStart)
                            {
                                Problem($"{q.Id}: an answer lacks text or answer_start");
                                continue;
                            }
                            int start = CodePoints.Utf16Index(paragraph.Context, codePointStart);
                            if (start < 0 || start + a.Text.Length > paragraph.Context.Length)
                            {
                                var length = CodePoints.CodePointIndex(paragraph.Context, paragraph.Context.Length);
                                Problem($"{q.Id}: answer \"{Shorten(a.Text)}\" at {codePointStart} lies outside its context " +
                                        $"({length} characters); fix answer_start");
                                continue;
                            }
                            if (string.CompareOrdinal(paragraph.Context, start, a.Text, 0, a.Text.Length) != 0)
                            {
                                var found = Shorten(paragraph.Context.Substring(start, a.Text.Length));
                                Problem($"{q.Id}: answer \"{Shorten(a.Text)}\" does not match the context at {codePointStart} " +
                                        $"(\"{found}\"); fix answer_start or the text");
                                continue;
                            }
                            valid.Add(new QaAnswer(a.Text, start));
                        }
                        if (impossible) unanswerable++;
                        if (!impossible && valid.Count == 0)
                        {
                            if ((q.Answers?.Count ?? 0) == 0) Problem($"{q.Id}: no answers and not marked is_impossible");
                            skipped++;
                            continue;
                        }
                        examples.Add(new QaExample(q.Id, title, paragraph.Context, q.Text.TrimStart(), impossible ? [] : valid, impossible));
                    }
                }
            }
        }
        catch (JsonException e)
        {
            var reason = e.Message.Split(" Path:")[0].Split(" LineNumber:")[0];
            if (reason.Contains("end of data", StringComparison.Ordinal)) reason += " The file ends early: truncated?";
            throw new BadInputException($"{source}: not valid SQuAD JSON at line {(e.LineNumber ?? 0) + 1}: {reason}");
        }

        var summary = new QaDataSummary(source, version, articles, paragraphs, questions, answers, unanswerable, skipped, problems);
        if (strict && problems.Count > 0)
            throw new BadInputException([.. problems.Take(20).Select(p => $"{source}: {p}"),
                .. problems.Count > 20 ? [$"{source}: ... and {problems.Count - 20} more problems"] : Array.Empty<string>()]);
        return new QaDataSet(examples, summary);
    }


    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";

    /// <summary>
    /// Yields the articles of the top-level "data" array one at a time, reading the stream in chunks; the buffer only
    /// ever holds the article being parsed (it grows when one article is larger than the buffer).
    /// </summary>
    private static IEnumerable<(string Name, Article Article)> StreamTopLevel(Stream stream, string source, Action<string?> onVersion)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        var parser = new TopLevelParser(source, onVersion);
        try
        {
            int length = 0;
            bool finalBlock = false, startChecked = false;
            while (true)
            {
                if (!finalBlock && length < buffer.Length)
                {
                    int read = stream.Read(buffer, length, buffer.Length - length);
                    if (read == 0) finalBlock = true;
                    length += read;
                }
                if (!startChecked && (length >= 4 || finalBlock))
                {
                    startChecked = true;
                    length = DropByteOrderMark(buffer, length, source);
                }
                var articles = parser.Feed(buffer.AsSpan(0, length), finalBlock, out int consumed, out bool done);
                foreach (var article in articles) yield return ("article", article);
                if (done) yield break;
                if (finalBlock && consumed == 0) throw new JsonException("the file ends inside the \"data\" array (truncated?)");
                Buffer.BlockCopy(buffer, consumed, buffer, 0, length - consumed);
                length -= consumed;
                if (consumed == 0 && length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, 0, larger, 0, length);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The JSON reader reads UTF-8 only: a UTF-8 byte-order mark at the start is dropped (as recipes allow one), and a file
    /// in another encoding is refused by name instead of failing as "invalid JSON" at its first byte.
    /// </summary>
    private static int DropByteOrderMark(byte[] buffer, int length, string source)
    {
        if (Utf8Text.OtherEncoding(buffer.AsSpan(0, length)) is { } encoding) throw new BadInputException(Utf8Text.WrongEncoding(source, encoding));
        if (!buffer.AsSpan(0, length).StartsWith(Utf8Text.ByteOrderMark)) return length;
        Buffer.BlockCopy(buffer, Utf8Text.ByteOrderMark.Length, buffer, 0, length - Utf8Text.ByteOrderMark.Length);
        return length - Utf8Text.ByteOrderMark.Length;
    }

    /// <summary>Incremental parse of <c>{"version": ..., "data": [article, ...]}</c>, other top-level fields skipped.</summary>
    private sealed class TopLevelParser(string source, Action<string?> onVersion)
    {
        private int articleCount;
        private JsonReaderState state = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        private int depth;
        private bool inData;
        private bool sawData;
        private string? property;

        public List<Article> Feed(ReadOnlySpan<byte> data, bool finalBlock, out int consumed, out bool done)
        {
            var articles = new List<Article>();
            var reader = new Utf8JsonReader(data, finalBlock, state);
            done = false;
            while (true)
            {
                if (inData)
                {
                    var probe = reader;
                    if (!probe.Read()) break;
                    if (probe.TokenType == JsonTokenType.EndArray)
                    {
                        reader = probe;
                        inData = false;
                        continue;
                    }
                    var skip = probe;
                    if (!skip.TrySkip()) break;
                    reader.Read();
                    int start = (int)reader.TokenStartIndex;
                    try
                    {
                        articles.Add(JsonSerializer.Deserialize<Article>(ref reader) ?? new Article(null, null));
                    }
                    catch (Exception e) when (e is JsonException or InvalidOperationException)
                    {
                        throw new BadInputException($"{source}: {SquadItemError.Describe(e, data[start..(int)skip.BytesConsumed], articleCount)}");
                    }
                    articleCount++;
                    continue;
                }
                var before = reader;
                if (!reader.Read()) break;
                if (reader.TokenType == JsonTokenType.StartObject && depth == 0) { depth = 1; continue; }
                if (depth != 1) throw new JsonException("expected a JSON object at the top level");
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        continue;
                    case JsonTokenType.StartArray when property == "data":
                        inData = true;
                        sawData = true;
                        continue;
                    case JsonTokenType.String when property == "version":
                        onVersion(reader.GetString());
                        continue;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (!reader.TrySkip()) { reader = before; goto stop; }
                        continue;
                    case JsonTokenType.EndObject:
                        depth = 0;
                        if (!sawData) throw new JsonException("no \"data\" array at the top level (expected SQuAD JSON)");
                        done = true;
                        goto stop;
                    default:
                        continue;
                }
            }
        stop:
            consumed = (int)reader.BytesConsumed;
            state = reader.CurrentState;
            if (finalBlock && !done && consumed == data.Length)
            {
                if (!sawData) throw new JsonException("no \"data\" array at the top level (expected SQuAD JSON)");
                throw new JsonException("the file ends before the top-level object closes (truncated?)");
            }
            return articles;
        }
    }
}
