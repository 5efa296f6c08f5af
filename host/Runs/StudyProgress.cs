using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PeftQa.Host.Studies;

namespace PeftQa.Host.Runs;

/// <summary>
/// Where one study of a run folder stands, read from its folder without disturbing it: done (its result.json), running
/// (another process holds its lock; the last step it logged), failed (its failure.json), stopped (a process started
/// it and ended without finishing or recording why: killed, or out of memory; the last line of that process's log),
/// or pending.
/// </summary>
public sealed partial record StudyProgress(string Label, StudyProgress.States State, string Detail)
{
    public enum States { Pending, Running, Done, Failed, Stopped }

    public static StudyProgress Of(string runFolder, string label)
    {
        var folder = StudyFolder.For(runFolder, label);
        if (File.Exists(Path.Combine(folder, StudyFolder.ResultFile)))
        {
            try { return new(label, States.Done, Finished(runFolder, label)); }
            catch (Foundation.BadInputException e) { return new(label, States.Failed, e.Message); }
        }
        if (!Directory.Exists(folder)) return new(label, States.Pending, "");
        if (RunFolderLock.IsHeld(folder))
            return File.Exists(Path.Combine(folder, StudyFolder.StateFile))
                ? new(label, States.Running, $"{Holder(folder)}; {Step(runFolder, label)}")
                : new(label, States.Pending, $"queued in its shard's process ({Holder(folder)})");
        if (StudyFolder.LoadFailure(runFolder, label) is { } failure)
            return new(label, States.Failed, $"{failure.Message} ({failure.Time:yyyy-MM-dd HH:mm:ss} on {failure.Host}); {Step(runFolder, label)}");
        if (RunFolderLock.LastHolder(folder) is { } holder && !File.Exists(Path.Combine(folder, StudyFolder.StateFile)))
            return new(label, States.Pending, $"was queued in a process that ended before starting it ({holder["host"]}, pid {holder["pid"]})");
        if (RunFolderLock.LastHolder(folder) is { } stopped)
            return new(label, States.Stopped,
                $"its process ({stopped["host"]}, pid {stopped["pid"]}) ended without finishing it or saying why (killed?); " +
                $"{Step(runFolder, label)}; last log line: {LastLogLine(stopped["log"]?.GetValue<string>())}");
        return new(label, States.Pending, "");
    }

    private static string Finished(string runFolder, string label)
    {
        var result = StudyFolder.LoadResult(runFolder, label)!;
        var final = string.Join(", ", result.Final.Select(s => $"{s.Key} {s.Value:F2}"));
        return $"{result.Tasks.Count} {(result.Tasks.Count == 1 ? "task" : "tasks")} in {result.TrainingSeconds:F0} s of training; {final}";
    }

    private static string Holder(string folder) =>
        RunFolderLock.LastHolder(folder) is { } holder ? $"{holder["host"]}, pid {holder["pid"]}" : "another process";

    /// <summary>
    /// The last training step the study logged: in its own metrics.jsonl (or the run's, in run folders from before
    /// studies had their own).
    /// </summary>
    private static string Step(string runFolder, string label)
    {
        foreach (var path in (string[])[
            Path.Combine(StudyFolder.For(runFolder, label), StudyFolder.MetricsFile),
            Path.Combine(runFolder, StudyFolder.MetricsFile)])
        {
            if (!File.Exists(path)) continue;
            var last = File.ReadLines(path).Select(Parse)
                .LastOrDefault(n => n?["study"]?.GetValue<string>() == label && n["step"] is not null && n["loss"] is not null);
            if (last is not null) return $"task {last["task"]}, step {last["step"]}, loss {last["loss"]}";
        }
        return "no training step logged yet";
    }

    private static JsonNode? Parse(string line)
    {
        try { return JsonNode.Parse(line); }
        catch (JsonException) { return null; }
    }

    /// <summary>The last event of a Serilog compact-JSON log, its message template filled in.</summary>
    private static string LastLogLine(string? log)
    {
        if (log is null || !File.Exists(log)) return "(no log)";
        var last = File.ReadLines(log).Select(Parse).LastOrDefault(n => n?["@mt"] is not null);
        if (last is null) return "(empty log)";
        var text = Placeholder().Replace(last["@mt"]!.GetValue<string>(), m => last[m.Groups[1].Value]?.ToString() ?? m.Value);
        return $"{last["@t"]} {last["@l"] ?? "Information"}: {text}{(last["@x"] is { } x ? $" ({x.ToString().Split('\n')[0]})" : "")}";
    }

    [GeneratedRegex(@"\{@?(\w+)(?:[,:][^}]*)?\}")]
    private static partial Regex Placeholder();
}
