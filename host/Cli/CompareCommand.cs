using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeftQa.Abstractions;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Foundation;
using PeftQa.Host.Plugins;
using PeftQa.Host.Reporting;

namespace PeftQa.Host.Cli;

/// <summary>
/// <c>peftqa compare &lt;run folders...&gt; [--out folder] [--reference label]</c>: rebuilds compare.md/json/png from
/// finished runs, with intervals and differences from the answers each study kept (the metric plugins recompute them).
/// </summary>
public sealed class CompareCommand(PluginLoader pluginLoader, IOptions<PeftQaSettings> settings, CliConsole console, ILogger<CompareCommand> logger)
{
    public int Execute(IReadOnlyList<string> runFolders, string? output, string? reference = null)
    {
        if (runFolders.Count == 0) throw new BadInputException("give at least one run folder");
        var (studies, seed) = ComparisonReport.ReadRuns(runFolders);
        if (reference is not null && studies.All(s => s.Label != reference && s.ConfigurationLabel != reference))
            throw new BadInputException($"--reference {reference}: no such study or configuration; the studies are {string.Join(", ", studies.Select(s => s.Label))}");
        var folder = WritableFolder.Ensure(output ?? runFolders[0], output is null ? "the first run folder" : "--out");
        var plugins = pluginLoader.Load(PluginRoots.For(settings.Value.PluginFolders, []));
        var scoreNames = studies.SelectMany(s => s.Final.Keys).Distinct().ToList();
        var metrics = scoreNames.Select(name => plugins.Find<IMetric>(name)?.Instance).OfType<IMetric>().ToList();
        foreach (var missing in scoreNames.Where(n => metrics.All(m => m.Name != n)))
            logger.LogWarning("No metric plugin named {Metric} is loaded: its score is shown without an interval", missing);
        var rows = ComparisonReport.Rows(studies, new StudyStatistics(metrics, seed, Bootstrap.DefaultResamples, reference));
        var labels = studies.Select(s => s.Label).Distinct().ToList();
        var curves = runFolders.SelectMany(run => LearningCurve.ReadRun(run, labels)).ToList();
        var acrossSeeds = SeedSummary.Of(studies, scoreNames);
        ComparisonReport.Write(folder, rows, "Strategy comparison", curves, acrossSeeds);
        console.Out.Write(ComparisonReport.Markdown(rows, "Strategy comparison", acrossSeeds));
        logger.LogInformation("Wrote compare.md, compare.json and compare.png to {Folder}", Path.GetFullPath(folder));
        return PeftQaCommandLine.Success;
    }
}
