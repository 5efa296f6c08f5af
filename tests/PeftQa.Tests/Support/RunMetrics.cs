namespace PeftQa.Tests.Support;

/// <summary>A run folder's metrics.jsonl lines: each study keeps its own, in studies/&lt;label&gt;/.</summary>
public static class RunMetrics
{
    /// <summary>One study's file.</summary>
    public static string PathOf(string runFolder, string study) => Path.Combine(PeftQa.Host.Studies.StudyFolder.For(runFolder, study), "metrics.jsonl");

    /// <summary>Every study's lines, study folder by study folder.</summary>
    public static IReadOnlyList<string> Lines(string runFolder) =>
        Directory.GetDirectories(Path.Combine(runFolder, "studies")).Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "metrics.jsonl")).Where(File.Exists).SelectMany(File.ReadAllLines).ToList();
}
