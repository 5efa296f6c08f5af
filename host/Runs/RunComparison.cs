using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Foundation;
using PeftQa.Host.Plugins;
using PeftQa.Host.Reporting;

namespace PeftQa.Host.Runs;

/// <summary>
/// <c>peftqa compare</c>'s entry point: rebuilds
/// compare.md/json/png from finished runs, with intervals and differences from the answers each study kept (the metric
/// plugins recompute them). Runs whose data files, evaluation set or budget differ are refused unless
/// <c>--allow-mismatch</c>, which labels them as not comparable. The files go to a new folder beside the first run
/// (or <c>--out</c>), never into a run folder, and never over an earlier comparison.
/// </summary>
public sealed class RunComparison(PluginLoader pluginLoader, ExtraPluginFolders pluginFolders, ILogger<RunComparison> logger)
{
    private static readonly string[] OutputFiles =
        [RunFolderFiles.CompareMarkdownFile, RunFolderFiles.CompareJsonFile, RunFolderFiles.CompareChartFile];

    /// <returns>The folder written and compare.md's text.</returns>
    /// <exception cref="BadInputException">No or repeated run folders, runs not comparable (without <paramref name="allowMismatch"/>),
    /// an unknown reference, or an output folder that would overwrite a run's or an earlier comparison's files.</exception>
    public (string Folder, string Markdown) Compare(IReadOnlyList<string> runFolders, string? output, string? reference = null,
        bool allowMismatch = false)
    {
        if (runFolders.Count == 0) throw new BadInputException("give at least one run folder");
        if (runFolders.GroupBy(Path.GetFullPath).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new BadInputException($"{twice.First()}: given twice; give each run folder once");
        var notComparable = Mismatch(runFolders, allowMismatch);
        var (read, seed) = ResultsJsonReader.ReadRuns(runFolders, labelEveryRun: notComparable is not null);
        var studies = read.Select(s => s.Study).ToList();
        if (reference is not null && studies.All(s => s.Label != reference && s.ConfigurationLabel != reference))
            throw new BadInputException($"--reference {reference}: no such study or configuration; " +
                                        $"the studies are {string.Join(", ", studies.Select(s => s.Label))}");
        var folder = OutputFolder(runFolders, output);
        var scoreNames = studies.SelectMany(s => s.Final.Keys).Distinct().ToList();
        var rows = ComparisonRow.ListFor(studies, new StudyStatistics(Metrics(scoreNames), seed, Bootstrap.DefaultResamples, reference));
        if (notComparable is not null) rows = WithinRunDifferences(rows, read);
        var curves = read.SelectMany(s => LearningCurve.ReadRun(s.RunFolder, [s.LabelInRun]).Select(c => c with { Study = s.Study.Label })).ToList();
        var acrossSeeds = SeedSummary.Of(studies, scoreNames);
        var title = notComparable is null ? "Strategy comparison" : "Strategy comparison of runs that are not comparable";
        CompareFilesWriter.Write(folder, rows, title, curves, acrossSeeds, notComparable);
        return (folder, CompareFilesWriter.Markdown(rows, title, acrossSeeds, notComparable));
    }

    /// <summary>
    /// What the runs differ in (data files, evaluation set, steps/budget), or null when they match. Refused unless
    /// <paramref name="allowMismatch"/>: a table of unrelated runs under one heading would read as a fair comparison.
    /// </summary>
    private static string? Mismatch(IReadOnlyList<string> runFolders, bool allowMismatch)
    {
        if (runFolders.Count < 2) return null;
        var setups = runFolders.Select(RunSetup.Read).ToList();
        var problems = setups.Where(s => s.Unreadable is not null).Select(s => $"{s.Folder} {s.Unreadable}")
            .Concat(setups.Skip(1).Where(s => s.Unreadable is null && setups[0].Unreadable is null)
                .Select(s => (Run: s, Differences: setups[0].Differences(s))).Where(d => d.Differences.Count > 0)
                .Select(d => $"{d.Run.Folder} differs from {setups[0].Folder} in {string.Join(", ", d.Differences)}"))
            .ToList();
        if (problems.Count == 0) return null;
        var what = string.Join("; ", problems);
        if (!allowMismatch)
            throw new BadInputException($"the runs are not comparable: {what}; compare runs of the same data, evaluation set and budget, " +
                                        "or pass --allow-mismatch to compare them anyway, labelled as not comparable");
        return what;
    }

    /// <summary>--out, refused where it would overwrite a run's own files or an earlier comparison; else a new folder beside the first run.</summary>
    private static string OutputFolder(IReadOnlyList<string> runFolders, string? output)
    {
        if (output is null) return WritableFolder.Ensure(NewFolderBeside(runFolders[0]), "the comparison folder");
        var path = WritableFolder.FullPath(output, "--out");
        if (runFolders.Any(run => Path.TrimEndingDirectorySeparator(Path.GetFullPath(run)) == Path.TrimEndingDirectorySeparator(path)))
            throw new BadInputException($"--out {output}: is one of the run folders compared; " +
                                        "its own compare files would be overwritten, so choose another folder");
        if (OutputFiles.Select(f => Path.Combine(path, f)).FirstOrDefault(File.Exists) is { } earlier)
            throw new BadInputException($"--out {output}: already holds {earlier}; choose a new folder (or remove the earlier comparison)");
        return WritableFolder.Ensure(path, "--out");
    }

    /// <summary><c>compare-&lt;time&gt;</c> next to the first run folder (where run folders live), numbered if taken.</summary>
    private static string NewFolderBeside(string runFolder)
    {
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runFolder)))!;
        var baseName = Path.Combine(parent, $"compare-{DateTime.Now:yyyyMMdd-HHmmss}");
        var folder = baseName;
        for (int n = 2; Directory.Exists(folder) || File.Exists(folder); n++) folder = $"{baseName}~{n}";
        return folder;
    }

    private List<IMetric> Metrics(IReadOnlyList<string> scoreNames)
    {
        var plugins = pluginLoader.Load(PluginRoots.For(pluginFolders.Folders, []));
        var metrics = scoreNames.Select(name => plugins.Find<IMetric>(name)?.Instance).OfType<IMetric>().ToList();
        foreach (var missing in scoreNames.Where(n => metrics.All(m => m.Name != n)))
            logger.LogWarning("No metric plugin named {Metric} is loaded: its score is shown without an interval", missing);
        return metrics;
    }

    /// <summary>Differences from a reference in another run are dropped: across runs that differ, a paired difference means nothing.</summary>
    private static List<ComparisonRow> WithinRunDifferences(List<ComparisonRow> rows, IReadOnlyList<ComparedStudy> studies)
    {
        var runOf = studies.ToDictionary(s => s.Study.Label, s => s.RunFolder);
        return rows.Select(r => r.Reference is null || runOf[r.Reference] == runOf[r.Study] ? r
            : r with { Reference = null, Differences = new Dictionary<string, ScoreDifference>() }).ToList();
    }
}
