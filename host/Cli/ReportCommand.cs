using Microsoft.Extensions.Logging;
using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Host.Plugins;
using PeftQa.Host.Reporting;
using PeftQa.Host.Runs;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Cli;

/// <summary>
/// <c>peftqa report &lt;run folder&gt;</c>: results.json, report.md, compare.* and the charts from the studies that
/// finished (each study's result.json), as a single-process run of the recipe writes them. Names every study that
/// is missing or failed, and then exits 1.
/// </summary>
public sealed class ReportCommand(PluginLoader pluginLoader, ExtraPluginFolders pluginFolders, CliConsole console, ILogger<ReportCommand> logger)
{
    public static Command Create(VerbSetup verbs)
    {
        var folder = new Argument<string>("run-folder") { Description = "A run folder (a sharded run's shared --out)." };
        var dataRoot = new DataRootOption(
            "Folder that the run's relative data paths resolve against (default: $PEFTQA_DATA, then the recipe's dataRoot).");
        var report = new Command("report",
            "Write results.json, report.md, compare.* and charts from a run folder's finished studies; exit 1 if any study is missing.")
            { folder, dataRoot.Option };
        verbs.Handle(report, (parse, services, _) =>
            services.GetRequiredService<ReportCommand>().Execute(parse.GetValue(folder)!, dataRoot.Read(parse)));
        return report;
    }

    public int Execute(string runFolder, string? dataRoot)
    {
        var run = RunFolderPlan.Load(runFolder, pluginLoader, pluginFolders.Folders, dataRoot);
        var results = run.Results();
        var missing = run.Progress().Where(p => p.State != StudyProgress.States.Done).ToList();
        if (results.Count > 0)
        {
            // Readers of the folder (status, other reports) never see a half-written file: each is replaced whole.
            var statistics = StudyStatistics.For(run.Plan);
            RunReportWriter.Write(run.RunFolder, run.Plan, results, statistics);
            ResultsTable.Print(run.Plan, results, statistics, console);
            logger.LogInformation("Report of {Done} of {Studies} studies: {Report}",
                results.Count, run.Plan.Studies.Count, Path.Combine(run.RunFolder, RunFolderFiles.ReportFile));
        }
        if (missing.Count == 0) return PeftQaCommandLine.Success;
        foreach (var study in missing)
            logger.LogError("Study {Study} is {State}{Detail}",
                study.Label, study.State.ToString().ToLowerInvariant(), study.Detail.Length > 0 ? $": {study.Detail}" : "");
        logger.LogError("{Missing} of {Studies} studies have no result{Written}; " +
                        "run or resume them (peftqa status {RunFolder} shows each), then report again",
            missing.Count, run.Plan.Studies.Count, results.Count > 0 ? ", so the report covers only the others" : "", run.RunFolder);
        return PeftQaCommandLine.WorkFailed;
    }
}
