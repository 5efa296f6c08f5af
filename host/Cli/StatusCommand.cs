using System.Text.Json;
using System.Text.Json.Nodes;
using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Host.Plugins;
using PeftQa.Host.Reporting;
using PeftQa.Host.Runs;
using Spectre.Console;

namespace PeftQa.Host.Cli;

/// <summary>
/// <c>peftqa status &lt;run folder&gt; [--json]</c>: whether the folder is prepared, and each study's state (pending,
/// running with its last step, done, failed or stopped with why) and the shard of N that runs it. Reads only; safe
/// while shards run.
/// </summary>
public sealed class StatusCommand(PluginLoader pluginLoader, ExtraPluginFolders pluginFolders, CliConsole console)
{
    public static Command Create(VerbSetup verbs)
    {
        var folder = new Argument<string>("run-folder") { Description = "A run folder." };
        var dataRoot = new DataRootOption(
            "Folder that the run's relative data paths resolve against (default: $PEFTQA_DATA, then the recipe's dataRoot).");
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var shards = new Option<int?>("--shards") { Description = "Show which of N shards runs each study (default: the count peftqa submit used)." };
        var status = new Command("status",
            "Show each study of a run folder: pending, running (with its step), done, failed or stopped (with why).")
            { folder, dataRoot.Option, json, shards };
        verbs.Handle(status, (parse, services, _) => services.GetRequiredService<StatusCommand>()
            .Execute(parse.GetValue(folder)!, dataRoot.Read(parse), parse.GetValue(json), parse.GetValue(shards)));
        return status;
    }

    public int Execute(string runFolder, string? dataRoot, bool json, int? shards)
    {
        var run = RunFolderPlan.Load(runFolder, pluginLoader, pluginFolders.Folders, dataRoot);
        shards ??= ClusterSubmission.ShardsOf(run.RunFolder);
        var progress = run.Progress();
        string preparation = run.Prepared ? "prepared (baseline measured" + (run.Plan.NeedsSelection ? ", selection made)" : ")")
            : run.BaselineMeasured ? "preparing (baseline measured; selection under way or stopped)"
            : "not prepared yet (no baseline: --stage baseline, or the first shard, measures it)";
        if (json)
        {
            var node = new JsonObject
            {
                ["runFolder"] = run.RunFolder,
                ["recipe"] = run.Plan.Recipe.Name,
                ["prepared"] = run.Prepared,
                ["precision"] = PrecisionOf(run),
                ["studies"] = new JsonArray(progress.Select((p, i) => (JsonNode)new JsonObject
                {
                    ["index"] = i,
                    ["shard"] = shards is { } n ? i % n : null,
                    ["label"] = p.Label,
                    ["state"] = p.State.ToString().ToLowerInvariant(),
                    ["detail"] = p.Detail,
                }).ToArray()),
            };
            console.Out.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return PeftQaCommandLine.Success;
        }
        var terminal = console.Terminal(width: 200);
        terminal.WriteLine($"{run.Plan.Recipe.Name} in {run.RunFolder}: {preparation}");
        terminal.WriteLine($"Precision: {PrecisionOf(run) ?? "not pinned yet (the run's preparation decides it)"}");
        var table = new Table().AddColumns(["#", .. shards is null ? Array.Empty<string>() : [$"Shard of {shards}"], "Study", "State", "Detail"]);
        for (int i = 0; i < progress.Count; i++)
            table.AddRow([
                i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                .. shards is { } n ? [(i % n).ToString(System.Globalization.CultureInfo.InvariantCulture)] : Array.Empty<string>(),
                Markup.Escape(progress[i].Label),
                progress[i].State.ToString().ToLowerInvariant(),
                Markup.Escape(progress[i].Detail)]);
        terminal.Write(table);
        var counts = progress.GroupBy(p => p.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
        terminal.WriteLine($"{string.Join(", ", counts)} of {progress.Count} studies");
        return PeftQaCommandLine.Success;
    }

    /// <summary>What the run computes in, as its folder pinned it; null before the preparation has decided.</summary>
    private static string? PrecisionOf(RunFolderPlan run) =>
        RunFolderPrecision.Read(run.RunFolder) is null ? null : run.Plan.Precision.ToString();
}
