namespace PeftQa.Host.Foundation;

/// <summary>
/// How labels and names become folder and file names inside a run folder (<c>studies/&lt;label&gt;</c>,
/// <c>charts/heatmap-&lt;label&gt;.png</c>): letters, digits, '-', '_' and '.' are kept, anything else becomes '_'.
/// Several labels can map to one name, and a name of dots would leave its folder, so a recipe's labels are checked
/// with <see cref="Problems"/> before any work.
/// </summary>
public static class FolderNames
{
    public static string For(string label) =>
        string.Concat(label.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    /// <summary>
    /// One message per label that cannot be a folder name of its own: empty or only dots, or sharing its folder name
    /// (ignoring case, as some file systems do) with an earlier label. <paramref name="labels"/> pairs each label with
    /// where it comes from, for the message.
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
            if (first.TryGetValue(name, out var earlier))
            {
                yield return string.Equals(earlier.Label, label, StringComparison.Ordinal)
                    ? $"{from}: {what} '{label}' is also the label of {earlier.From}; both would be written to the folder '{name}'; give one a different label"
                    : $"{from}: {what} '{label}' and '{earlier.Label}' ({earlier.From}) would both be written to the folder '{name}'; give one a different label";
                continue;
            }
            first[name] = (label, from);
        }
    }
}
