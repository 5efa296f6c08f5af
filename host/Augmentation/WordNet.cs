using System.Collections.Concurrent;
using System.Globalization;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Augmentation;

/// <summary>
/// WordNet 3.0 read from its dict files (<c>index.noun</c>, <c>data.noun</c>, ... and the <c>*.exc</c> exception lists, as
/// Debian's <c>wordnet-base</c> installs them in <c>/usr/share/wordnet</c>): the lemmas of every synset a word belongs to.
/// Each folder is read once per process (<see cref="Load"/>).
/// </summary>
public sealed class WordNet
{
    private static readonly ConcurrentDictionary<string, Lazy<WordNet>> Loaded = new();

    private static readonly string[] PartsOfSpeech = ["noun", "verb", "adj", "adv"];

    /// <summary>WordNet's morphy detachment rules per part of speech: (suffix, replacement).</summary>
    private static readonly Dictionary<string, (string Suffix, string Ending)[]> Rules = new()
    {
        ["noun"] = [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y")],
        ["verb"] = [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")],
        ["adj"] = [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
        ["adv"] = [],
    };

    /// <summary>Per part of speech: lemma -> synset offsets, in the index's order.</summary>
    private readonly Dictionary<string, Dictionary<string, long[]>> index = [];

    /// <summary>Per part of speech: synset offset -> its words (underscores as spaces).</summary>
    private readonly Dictionary<string, Dictionary<long, string[]>> synsets = [];

    /// <summary>Per part of speech: inflected form -> base forms (the *.exc files).</summary>
    private readonly Dictionary<string, Dictionary<string, string[]>> exceptions = [];

    private WordNet(string folder)
    {
        foreach (var pos in PartsOfSpeech)
        {
            index[pos] = ReadIndex(Path.Combine(folder, $"index.{pos}"));
            synsets[pos] = ReadData(Path.Combine(folder, $"data.{pos}"));
            exceptions[pos] = ReadExceptions(Path.Combine(folder, $"{pos}.exc"));
        }
    }

    public string Folder { get; private init; } = "";

    /// <summary>The dictionary in <paramref name="folder"/>, read on first use and kept for the process.</summary>
    /// <exception cref="BadInputException">The folder is not a WordNet dict folder.</exception>
    public static WordNet Load(string folder)
    {
        string full = Path.GetFullPath(folder);
        var lazy = Loaded.GetOrAdd(full, f => new Lazy<WordNet>(() => Read(f)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Loaded.TryRemove(new KeyValuePair<string, Lazy<WordNet>>(full, lazy));
            throw;
        }
    }

    private static WordNet Read(string folder)
    {
        if (Problem(folder) is { } problem) throw new BadInputException(problem);
        return new WordNet(folder) { Folder = folder };
    }

    /// <summary>Why <paramref name="folder"/> is not a WordNet dict folder, or null when it is one.</summary>
    public static string? Problem(string folder)
    {
        if (!Directory.Exists(folder)) return $"folder {folder} not found";
        foreach (var pos in PartsOfSpeech)
            foreach (var file in new[] { $"index.{pos}", $"data.{pos}" })
                if (!File.Exists(Path.Combine(folder, file))) return $"folder {folder} has no {file}";
        try
        {
            var first = File.ReadLines(Path.Combine(folder, "index.noun")).Where(l => !l.StartsWith(' ')).Take(1).ToList();
            if (first.Count == 0 || ParseIndexLine(first[0]) is null)
                return $"{Path.Combine(folder, "index.noun")} has no line of WordNet's index (\"lemma pos synset_cnt p_cnt ...\")";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{Path.Combine(folder, "index.noun")} cannot be read: {e.Message}";
        }

        return null;
    }

    /// <summary>
    /// The words of every synset (any part of speech) of <paramref name="word"/> or of its base forms (WordNet's morphy:
    /// the exception lists, then the detachment rules), lower-cased lookup; multiword lemmas with spaces; never the word or
    /// a base form itself; each once (case-insensitive), in WordNet's order.
    /// </summary>
    public IReadOnlyList<string> Synonyms(string word)
    {
        string lower = word.Trim().ToLowerInvariant().Replace(' ', '_');
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var forms = PartsOfSpeech.SelectMany(pos => BaseForms(lower, pos).Select(form => (pos, form))).ToList();
        foreach (var (_, form) in forms) seen.Add(form.Replace('_', ' '));
        seen.Add(word.Trim());
        foreach (var (pos, form) in forms)
            foreach (var offset in index[pos][form])
                if (synsets[pos].TryGetValue(offset, out var words))
                    foreach (var w in words)
                        if (seen.Add(w)) result.Add(w);
        return result;
    }

    /// <summary>The forms of <paramref name="lower"/> in the index of <paramref name="pos"/>: itself, exceptions, detached suffixes.</summary>
    private IEnumerable<string> BaseForms(string lower, string pos)
    {
        var candidates = new List<string> { lower };
        if (exceptions[pos].TryGetValue(lower, out var bases)) candidates.AddRange(bases);
        foreach (var (suffix, ending) in Rules[pos])
            if (lower.Length > suffix.Length && lower.EndsWith(suffix, StringComparison.Ordinal))
                candidates.Add(lower[..^suffix.Length] + ending);
        return candidates.Distinct().Where(index[pos].ContainsKey);
    }

    private static Dictionary<string, long[]> ReadIndex(string path)
    {
        var lemmas = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
            if (!line.StartsWith(' ') && ParseIndexLine(line) is { } entry)
                lemmas[entry.Lemma] = entry.Offsets;
        return lemmas;
    }

    /// <summary>"lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset [synset_offset...]".</summary>
    private static (string Lemma, long[] Offsets)? ParseIndexLine(string line)
    {
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 6 || f[1] is not ("n" or "v" or "a" or "r" or "s")) return null;
        if (!int.TryParse(f[2], CultureInfo.InvariantCulture, out int count) || count < 1) return null;
        if (!int.TryParse(f[3], CultureInfo.InvariantCulture, out int pointers) || f.Length != 6 + pointers + count) return null;
        var offsets = new long[count];
        for (int i = 0; i < count; i++)
            if (!long.TryParse(f[6 + pointers + i], CultureInfo.InvariantCulture, out offsets[i])) return null;
        return (f[0], offsets);
    }

    /// <summary>"synset_offset lex_filenum ss_type w_cnt word lex_id [word lex_id...] ..." (w_cnt in hexadecimal).</summary>
    private static Dictionary<long, string[]> ReadData(string path)
    {
        var data = new Dictionary<long, string[]>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(' ')) continue;
            var f = line.Split(' ', 4 + 2 * 255 + 1);
            if (f.Length < 6 || !long.TryParse(f[0], CultureInfo.InvariantCulture, out long offset)) continue;
            if (!int.TryParse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int count)) continue;
            var words = new string[Math.Min(count, (f.Length - 4) / 2)];
            for (int i = 0; i < words.Length; i++) words[i] = Lemma(f[4 + 2 * i]);
            data[offset] = words;
        }

        return data;
    }

    /// <summary>A data file's word as text: underscores as spaces, without an adjective's marker ("(a)", "(p)", "(ip)").</summary>
    private static string Lemma(string word)
    {
        int marker = word.IndexOf('(');
        return (marker > 0 ? word[..marker] : word).Replace('_', ' ');
    }

    private static Dictionary<string, string[]> ReadExceptions(string path)
    {
        var forms = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!File.Exists(path)) return forms;
        foreach (var line in File.ReadLines(path))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 2) forms[f[0]] = f[1..];
        }

        return forms;
    }
}
