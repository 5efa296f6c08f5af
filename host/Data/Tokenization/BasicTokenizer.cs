using System.Globalization;
using System.Text;

namespace PeftQa.Host.Data.Tokenization;

/// <summary>
/// Hugging Face's BasicTokenizer for uncased BERT (do_lower_case, tokenize_chinese_chars, accents stripped), with
/// every word's characters traced back to the ORIGINAL text, so answer spans can be cut from the context exactly.
/// Rules: NUL, U+FFFD and control/format characters are removed; tab, newline, carriage return and Unicode spaces
/// separate words; each CJK ideograph is its own word; words are lowercased (Python's rules, final sigma included)
/// and accent-stripped (NFD, combining marks dropped); then every punctuation character (Unicode P* and all
/// non-alphanumeric ASCII) is its own word.
/// </summary>
public static class BasicTokenizer
{
    public static List<BasicWord> Split(string text)
    {
        var words = new List<BasicWord>();
        var chars = new StringBuilder();
        var sources = new List<(int, int)>();
        var raw = new List<(Rune Rune, int Start)>();

        void FlushRaw()
        {
            if (raw.Count == 0) return;
            Normalize(raw, chars, sources);
            SplitOnPunctuation(chars, sources, words);
            raw.Clear();
        }

        int index = 0;
        while (index < text.Length)
        {
            var status = Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out int consumed);
            if (status != System.Buffers.OperationStatus.Done) { rune = Rune.ReplacementChar; consumed = 1; }
            int start = index;
            index += consumed;
            if (rune.Value == 0 || rune.Value == 0xFFFD || IsControl(rune)) continue;
            if (IsWhitespace(rune)) { FlushRaw(); continue; }
            if (IsCjk(rune.Value))
            {
                FlushRaw();
                raw.Add((rune, start));
                FlushRaw();
                continue;
            }
            raw.Add((rune, start));
        }
        FlushRaw();
        return words;
    }

    /// <summary>Lowercases and strips accents, keeping for every output char the original rune's span.</summary>
    private static void Normalize(List<(Rune Rune, int Start)> raw, StringBuilder chars, List<(int, int)> sources)
    {
        chars.Clear();
        sources.Clear();
        for (int i = 0; i < raw.Count; i++)
        {
            var (rune, start) = raw[i];
            var span = (start, start + rune.Utf16SequenceLength);
            foreach (var lowered in Lower(raw, i))
            {
                foreach (var decomposed in lowered.ToString().Normalize(NormalizationForm.FormD).EnumerateRunes())
                {
                    if (Rune.GetUnicodeCategory(decomposed) == UnicodeCategory.NonSpacingMark) continue;
                    foreach (char c in decomposed.ToString())
                    {
                        chars.Append(c);
                        sources.Add(span);
                    }
                }
            }
        }
    }

    /// <summary>Python's str.lower() for one character of a word: full mappings (U+0130) and the final sigma rule.</summary>
    private static IEnumerable<Rune> Lower(List<(Rune Rune, int Start)> word, int i)
    {
        var rune = word[i].Rune;
        if (rune.Value == 0x0130) return [new Rune('i'), new Rune(0x0307)];
        if (rune.Value == 0x03A3)
        {
            bool casedBefore = Enumerable.Range(0, i).Reverse().Select(j => word[j].Rune).SkipWhile(IsCaseIgnorable).Take(1).Any(IsCased);
            bool casedAfter = Enumerable.Range(i + 1, word.Count - i - 1).Select(j => word[j].Rune).SkipWhile(IsCaseIgnorable).Take(1).Any(IsCased);
            return [new Rune(casedBefore && !casedAfter ? 0x03C2 : 0x03C3)];
        }
        return [Rune.ToLowerInvariant(rune)];
    }

    private static bool IsCased(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter
        or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark
        or UnicodeCategory.EnclosingMark or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
        || rune.Value is '\'' or '.' or ':' or '^' or '`' or 0x00AD or 0x2019;

    private static void SplitOnPunctuation(StringBuilder chars, List<(int, int)> sources, List<BasicWord> words)
    {
        int wordStart = 0;
        int i = 0;
        while (i < chars.Length)
        {
            int width = char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length ? 2 : 1;
            var rune = Rune.GetRuneAt(chars.ToString(i, width), 0);
            if (IsPunctuation(rune))
            {
                Emit(chars, sources, wordStart, i, words);
                Emit(chars, sources, i, i + width, words);
                wordStart = i + width;
            }
            i += width;
        }
        Emit(chars, sources, wordStart, chars.Length, words);
    }

    private static void Emit(StringBuilder chars, List<(int, int)> sources, int from, int to, List<BasicWord> words)
    {
        if (to > from) words.Add(new BasicWord(chars.ToString(from, to - from), sources.GetRange(from, to - from).ToArray()));
    }

    /// <summary>HF _is_whitespace: space, tab, newline, carriage return, or Unicode category Zs.</summary>
    public static bool IsWhitespace(Rune rune) =>
        rune.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator;

    /// <summary>HF _is_control: categories Cc, Cf, Cn, Co, Cs, except tab, newline and carriage return.</summary>
    public static bool IsControl(Rune rune)
    {
        if (rune.Value is '\t' or '\n' or '\r') return false;
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;
    }

    /// <summary>HF _is_punctuation: all non-alphanumeric ASCII (so $, +, =, ^, ` count) and Unicode category P*.</summary>
    public static bool IsPunctuation(Rune rune)
    {
        int cp = rune.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>HF _is_chinese_char: the CJK Unified Ideographs blocks and their extensions and compatibility blocks.</summary>
    public static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
