using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PeftQa.Host.Studies;
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
public sealed class StatusCommand(PluginLoader pluginLoader, IOptions<PeftQaSettings> settings, CliConsole console)
{
    public int Execute(string runFolder, bool json, int? shards)
    {
        var run = RunFolderPlan.Load(runFolder, pluginLoader, settings.Value.PluginFolders, settings.Value.DataRoot);
        shards ??= SubmitCommand.ShardsOf(run.RunFolder);
        var progress = run.Progress();
        string preparation = run.Prepared ? "prepared (baseline measured" + (run.Plan.NeedsSelection ? ", selection made)" : ")")
            : File.Exists(Path.Combine(run.RunFolder, BaselineMeasurement.File)) ? "preparing (baseline measured; selection under way or stopped)"
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
            table.AddRow([i.ToString(System.Globalization.CultureInfo.InvariantCulture), .. shards is { } n ? [(i % n).ToString(System.Globalization.CultureInfo.InvariantCulture)] : Array.Empty<string>(),
                Markup.Escape(progress[i].Label), progress[i].State.ToString().ToLowerInvariant(), Markup.Escape(progress[i].Detail)]);
        terminal.Write(table);
        var counts = progress.GroupBy(p => p.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
        terminal.WriteLine($"{string.Join(", ", counts)} of {progress.Count} studies");
        return PeftQaCommandLine.Success;
    }

    /// <summary>What the run computes in, as its folder pinned it; null before the preparation has decided.</summary>
    private static string? PrecisionOf(RunFolderPlan run) =>
        RunFolderPrecision.Read(run.RunFolder) is null ? null : run.Plan.Precision.ToString();
}
