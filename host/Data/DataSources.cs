using PeftQa.Host.Foundation;

namespace PeftQa.Host.Data;

/// <summary>
/// Resolves a recipe's data reference: a SQuAD-format file relative to the data root (or absolute), or a
/// <c>builtin:</c> source. The data root comes from --data-root, else PEFTQA_DATA, else the recipe's dataRoot.
/// </summary>
public static class DataSources
{
    public const string BuiltinPrefix = "builtin:";

    /// <summary>Built-in data sources this build provides.</summary>
    public static IReadOnlyCollection<string> BuiltinNames { get; } = SyntheticQa.BuiltinNames.ToList();

    /// <summary>Reads a resolved data reference (a file path or a builtin name).</summary>
    public static QaDataSet Load(string resolved, bool strict = false)
    {
        if (SyntheticQa.TryParse(resolved, out var domain, out var split)) return SyntheticQa.Generate(domain, split);
        return SquadReader.Read(resolved, strict);
    }

    /// <summary>The absolute path (or builtin name) for <paramref name="reference"/>; a missing file is a <see cref="BadInputException"/>.</summary>
    public static string Resolve(string reference, string? dataRoot, string usedAt)
    {
        if (reference.StartsWith(BuiltinPrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (BuiltinNames.Contains(reference, StringComparer.OrdinalIgnoreCase)) return reference;
            throw new BadInputException($"{usedAt}: unknown built-in data source '{reference}'; " +
                                        (BuiltinNames.Count == 0 ? "this build has none" : $"available: {string.Join(", ", BuiltinNames)}"));
        }
        var path = dataRoot is null ? Path.GetFullPath(reference) : Path.GetFullPath(reference, dataRoot);
        if (File.Exists(path)) return path;
        if (Directory.Exists(path)) throw new BadInputException($"{usedAt}: {path} is a folder; name a SQuAD-format JSON file in it");
        throw new BadInputException($"{usedAt}: data file not found: {path} " +
                                    (dataRoot is null
                                        ? "(no data root is set: use --data-root, PEFTQA_DATA or the recipe's dataRoot)"
                                        : $"(data root: {dataRoot})"));
    }
}
