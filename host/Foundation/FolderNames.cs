using System.Text;

namespace PeftQa.Host.Foundation;

/// <summary>
/// How labels and names become folder and file names inside a run folder (<c>studies/&lt;label&gt;</c>,
/// <c>charts/heatmap-&lt;label&gt;.png</c>): letters, digits, '-', '_' and '.' are kept, anything else becomes '_'.
/// Several labels can map to one name, a name of dots would leave its folder, and a long one would not fit the file
/// system, so a recipe's labels and task names are checked with <see cref="Problems"/> before any work.
/// </summary>
public static class FolderNames
{
    /// <summary>The longest file or folder name Linux and macOS file systems allow, in UTF-8 bytes (NAME_MAX).</summary>
    public const int FileSystemLimitBytes = 255;

    /// <summary>
    /// The most a run adds around a label or task name within one file or folder name: the longest is the chart
    /// <c>through-sequence-&lt;label&gt;.png</c> (21 bytes); a task's <c>adapter-&lt;number&gt;-&lt;task&gt;</c> and
    /// <c>answers/&lt;task&gt;.json.tmp</c> and a study's <c>logs/study-&lt;label&gt;.json</c> add less.
    /// </summary>
    public const int LongestAffixBytes = 21;

    /// <summary>The longest name a label or task name may become, so everything derived from it fits.</summary>
    public const int MaxBytes = FileSystemLimitBytes - LongestAffixBytes;

    public static string For(string label) =>
        string.Concat(label.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    /// <summary>
    /// One message per label that cannot be a folder name of its own: empty or only dots, longer than <see cref="MaxBytes"/>,
    /// or sharing its folder name (ignoring case, as some file systems do) with an earlier label. <paramref name="labels"/>
    /// pairs each label with where it comes from, for the message.
    /// </summary>
    public static IEnumerable<string> Problems(IReadOnlyList<(string Label, string From)> labels, string what)
    {
        var first = new Dictionary<string, (string Label, string From)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (label, from) in labels)
        {
            var name = For(label);
            if (name.Trim('.').Length == 0)
            {
                yield return $"{from}: {what} '{label}' cannot be a folder name (it must contain a letter, digit, '-' or '_')";
                continue;
            }
            if (TooLong(label, from, what) is { } tooLong)
            {
                yield return tooLong;
                continue;
            }
            if (first.TryGetValue(name, out var earlier))
            {
                yield return string.Equals(earlier.Label, label, StringComparison.Ordinal)
                    ? $"{from}: {what} '{label}' is also the label of {earlier.From}; " +
                      $"both would be written to the folder '{name}'; give one a different label"
                    : $"{from}: {what} '{label}' and '{earlier.Label}' ({earlier.From}) " +
                      $"would both be written to the folder '{name}'; give one a different label";
                continue;
            }
            first[name] = (label, from);
        }
    }

    /// <summary>A message when <paramref name="label"/>'s folder name is longer than <see cref="MaxBytes"/>, else null.</summary>
    public static string? TooLong(string label, string from, string what)
    {
        int bytes = Encoding.UTF8.GetByteCount(For(label));
        return bytes <= MaxBytes ? null
            : $"{from}: {what} '{Abbreviate(label)}' is {bytes} bytes as a file name; the limit is {MaxBytes} (file systems allow " +
              $"{FileSystemLimitBytes}, and the run adds up to {LongestAffixBytes}, as in charts/through-sequence-<label>.png); shorten it";
    }

    /// <summary>The start and end of a long label, so the message stays one readable line.</summary>
    private static string Abbreviate(string label) => label.Length <= 40 ? label : $"{label[..20]}...{label[^12..]}";
}
