using System.Text;

namespace PeftQa.Plugins.Metrics;

/// <summary>
/// The answer normalization of the official SQuAD v1.1 evaluate-v1.1.py, reproduced character for character:
/// lowercase, drop ASCII punctuation, replace the words a/an/the by a space, split on whitespace.
/// Python's definitions are used where .NET's differ: <c>\b</c> word characters (letters, numbers and '_',
/// not combining marks), <c>str.split()</c> whitespace (which includes U+001C..U+001F) and <c>str.lower()</c>
/// (U+0130 becomes "i" + U+0307).
/// </summary>
public static class SquadNormalization
{
    private const string AsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>The normalized tokens of <paramref name="text"/>.</summary>
    public static IReadOnlyList<string> Tokens(string text)
    {
        var lowered = text.Replace("\u0130", "i\u0307", StringComparison.Ordinal).ToLowerInvariant();
        var withoutPunctuation = new StringBuilder(lowered.Length);
        foreach (char c in lowered)
            if (AsciiPunctuation.IndexOf(c) < 0) withoutPunctuation.Append(c);
        return SplitOnWhitespace(RemoveArticles(withoutPunctuation.ToString()));
    }

    /// <summary>The normalized string, tokens joined by single spaces.</summary>
    public static string Normalize(string text) => string.Join(' ', Tokens(text));

    private static string RemoveArticles(string text)
    {
        var result = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            int articleLength = ArticleAt(text, i);
            if (articleLength > 0)
            {
                result.Append(' ');
                i += articleLength;
            }
            else
            {
                result.Append(text[i]);
                i++;
            }
        }
        return result.ToString();
    }

    /// <summary>Length of "a", "an" or "the" standing as a whole word at <paramref name="start"/>; 0 if none.</summary>
    private static int ArticleAt(string text, int start)
    {
        if (start > 0 && IsWordChar(text, start - 1)) return 0;
        foreach (var article in (ReadOnlySpan<string>)["the", "an", "a"])
        {
            int end = start + article.Length;
            if (end <= text.Length && string.CompareOrdinal(text, start, article, 0, article.Length) == 0
                && (end == text.Length || !IsWordChar(text, end)))
                return article.Length;
        }
        return 0;
    }

    /// <summary>Python 3's <c>\w</c> for str patterns: alphanumeric in Unicode's sense, or '_'.</summary>
    private static bool IsWordChar(string text, int index)
    {
        char c = text[index];
        if (c == '_') return true;
        if (char.IsSurrogate(c))
        {
            // Judge the whole code point from either half.
            int codePointStart = char.IsLowSurrogate(c) && index > 0 && char.IsHighSurrogate(text[index - 1]) ? index - 1 : index;
            if (codePointStart + 1 >= text.Length || !char.IsSurrogatePair(text[codePointStart], text[codePointStart + 1])) return false;
            return IsAlphaNumericCategory(System.Globalization.CharUnicodeInfo.GetUnicodeCategory(text, codePointStart));
        }
        return IsAlphaNumericCategory(char.GetUnicodeCategory(c));
    }

    private static bool IsAlphaNumericCategory(System.Globalization.UnicodeCategory category) => category switch
    {
        System.Globalization.UnicodeCategory.UppercaseLetter or System.Globalization.UnicodeCategory.LowercaseLetter
            or System.Globalization.UnicodeCategory.TitlecaseLetter or System.Globalization.UnicodeCategory.ModifierLetter
            or System.Globalization.UnicodeCategory.OtherLetter or System.Globalization.UnicodeCategory.DecimalDigitNumber
            or System.Globalization.UnicodeCategory.LetterNumber or System.Globalization.UnicodeCategory.OtherNumber => true,
        _ => false,
    };

    /// <summary>Python's <c>str.split()</c> with no arguments.</summary>
    private static List<string> SplitOnWhitespace(string text)
    {
        var tokens = new List<string>();
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool boundary = i == text.Length || IsPythonWhitespace(text[i]);
            if (boundary && start >= 0) { tokens.Add(text[start..i]); start = -1; }
            else if (!boundary && start < 0) start = i;
        }
        return tokens;
    }

    private static bool IsPythonWhitespace(char c) => c is >= '\u001C' and <= '\u001F' || char.IsWhiteSpace(c);
}
