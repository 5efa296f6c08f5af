using System.Buffers;
using System.Text.Unicode;

namespace PeftQa.Host.Foundation;

/// <summary>
/// Text files a user gives peftqa (recipes, SQuAD data) are UTF-8, with or without a byte-order mark. Anything else is
/// refused by name rather than read as garbage: another Unicode encoding, or bytes that are not valid UTF-8 (which a
/// lenient decoder would silently turn into U+FFFD).
/// </summary>
public static class Utf8Text
{
    /// <summary>The UTF-8 byte-order mark some editors write at the start of a file.</summary>
    public static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// The Unicode encoding other than UTF-8 a file starting with <paramref name="start"/> is in, named for a message: by its
    /// byte-order mark, or without one by the zero bytes that ASCII characters (JSON's '{', '[', spaces) have in UTF-16 and
    /// UTF-32; null for UTF-8 (and for anything else, left to the reader).
    /// </summary>
    public static string? OtherEncoding(ReadOnlySpan<byte> start)
    {
        if (start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0, 0])
            || (start.Length >= 4 && start[0] != 0 && start[1..4].SequenceEqual((ReadOnlySpan<byte>)[0, 0, 0])))
            return "UTF-32 (little-endian)";
        if (start.StartsWith((ReadOnlySpan<byte>)[0, 0, 0xFE, 0xFF])
            || (start.Length >= 4 && start[..3].SequenceEqual((ReadOnlySpan<byte>)[0, 0, 0]) && start[3] != 0))
            return "UTF-32 (big-endian)";
        if (start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || (start.Length >= 2 && start[0] != 0 && start[1] == 0))
            return "UTF-16 (little-endian)";
        if (start.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || (start.Length >= 2 && start[0] == 0 && start[1] != 0))
            return "UTF-16 (big-endian)";
        return null;
    }

    /// <summary>The message for a file in <paramref name="encoding"/>: what was found and what to do.</summary>
    public static string WrongEncoding(string path, string encoding) =>
        $"{path}: the file is {encoding} text; peftqa reads UTF-8: save it as UTF-8 (in most editors: Save with Encoding, UTF-8)";

    /// <summary>
    /// <paramref name="bytes"/> as text: UTF-8 with or without a byte-order mark, checked strictly.
    /// </summary>
    /// <exception cref="BadInputException">Another encoding, or invalid UTF-8 (naming the byte offset and line).</exception>
    public static string Decode(byte[] bytes, string path)
    {
        if (OtherEncoding(bytes) is { } encoding) throw new BadInputException(WrongEncoding(path, encoding));
        var utf8 = bytes.AsSpan(bytes.AsSpan().StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0);
        var chars = new char[utf8.Length];
        if (Utf8.ToUtf16(utf8, chars, out int read, out int written, replaceInvalidSequences: false) == OperationStatus.InvalidData)
        {
            int offset = bytes.Length - utf8.Length + read;
            int line = 1 + bytes.AsSpan(0, offset).Count((byte)'\n');
            throw new BadInputException($"{path}: line {line}, byte {offset} (0x{bytes[offset]:X2}): not valid UTF-8; save the file as UTF-8");
        }
        return new string(chars, 0, written);
    }
}
