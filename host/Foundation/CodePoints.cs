namespace PeftQa.Host.Foundation;

/// <summary>
/// SQuAD's answer_start counts characters as Python does (code points); .NET strings index UTF-16 units. They differ
/// after any character outside the Basic Multilingual Plane (an emoji, a rare CJK character). Every reader of SQuAD
/// offsets converts with these.
/// </summary>
public static class CodePoints
{
    /// <summary>The UTF-16 index of the code point at <paramref name="codePointIndex"/>; past the end stays past the end.</summary>
    public static int Utf16Index(string text, int codePointIndex)
    {
        if (codePointIndex < 0) return codePointIndex;
        int utf16 = 0, codePoints = 0;
        for (; codePoints < codePointIndex && utf16 < text.Length; codePoints++)
            utf16 += char.IsSurrogatePair(text, utf16) ? 2 : 1;
        return utf16 + (codePointIndex - codePoints);
    }

    /// <summary>
    /// The inverse of <see cref="Utf16Index"/>: the code points (Python's characters) before a UTF-16 index; past the end
    /// stays past the end.
    /// </summary>
    public static int CodePointIndex(string text, int utf16Index)
    {
        if (utf16Index < 0) return utf16Index;
        int codePoints = 0, utf16 = 0;
        for (; utf16 < utf16Index && utf16 < text.Length; codePoints++)
            utf16 += char.IsSurrogatePair(text, utf16) ? 2 : 1;
        return codePoints + Math.Max(0, utf16Index - utf16);
    }
}
