using System.Buffers;
using System.Text.Unicode;
using System.Text.Json;

namespace PeftQa.Host.Data;

/// <summary>
/// Turns a failure to read one SQuAD article into a message a user can act on: the JSON path from the top of the file
/// (<c>$.data[3].paragraphs[0].qas[2].answers[0].answer_start</c>), what SQuAD expects there and what the file holds,
/// and the id of the question concerned, instead of the serializer's internal type names.
/// </summary>
public static class SquadItemError
{
    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        ["answer_start"] = "an integer (the answer's first character)", ["is_impossible"] = "true or false",
        ["text"] = "a string", ["id"] = "a string", ["question"] = "a string", ["context"] = "a string", ["title"] = "a string",
        ["answers"] = "an array of answers", ["qas"] = "an array of questions", ["paragraphs"] = "an array of paragraphs",
    };

    /// <param name="article">The article's bytes as they are in the file.</param>
    /// <param name="articleIndex">Its index in the top-level "data" array.</param>
    public static string Describe(Exception error, ReadOnlySpan<byte> article, int articleIndex)
    {
        if (!Utf8.IsValid(article))
            return $"$.data[{articleIndex}]: the text is not valid UTF-8 (at byte {FirstInvalidByte(article)} of the article); " +
                   "SQuAD files are UTF-8 JSON: re-save the file as UTF-8";
        var relative = (error as JsonException)?.Path ?? "$";
        var path = $"$.data[{articleIndex}]{relative[1..]}";
        using var document = JsonDocument.Parse(
            article.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var found = Navigate(document.RootElement, relative, out var questionId);
        var leaf = LeafName(relative);
        var expected = leaf is not null && Expected.TryGetValue(leaf, out var kind) ? kind : "an object";
        var got = found is { } element ? Describe(element.ValueKind) : "something else";
        return $"{path}: expected {expected}, got {got}{(questionId is null ? "" : $" (question id '{questionId}')")}";
    }

    /// <summary>The element at a serializer path such as <c>$.paragraphs[0].qas[2].id</c>, and the nearest question's id on the way.</summary>
    private static JsonElement? Navigate(JsonElement root, string path, out string? questionId)
    {
        questionId = null;
        JsonElement? current = root;
        foreach (var step in Steps(path))
        {
            if (current is not { } element) break;
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var id) && element.TryGetProperty("question", out _))
                questionId = id.ToString();
            current = step switch
            {
                int index when element.ValueKind == JsonValueKind.Array && index < element.GetArrayLength() => element[index],
                string name when element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child) => child,
                _ => null,
            };
        }
        return current;
    }

    private static IEnumerable<object> Steps(string path)
    {
        foreach (var part in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = part.IndexOf('[');
            var name = bracket < 0 ? part : part[..bracket];
            if (name.Length > 0) yield return name.Trim('\'', '[', ']');
            for (int open = bracket; open >= 0; open = part.IndexOf('[', open + 1))
                if (int.TryParse(part.AsSpan(open + 1, part.IndexOf(']', open) - open - 1), out var index)) yield return index;
        }
    }

    /// <summary>The property the path ends in (<c>answer_start</c>), or null when it ends in an array index.</summary>
    private static string? LeafName(string path) => Steps(path).LastOrDefault() as string;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string", JsonValueKind.Number => "a number", JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object", JsonValueKind.True or JsonValueKind.False => "true/false", _ => "null",
    };

    private static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        var buffer = new char[bytes.Length];
        return Utf8.ToUtf16(bytes, buffer, out int read, out _, replaceInvalidSequences: false) == OperationStatus.InvalidData ? read : 0;
    }
}
