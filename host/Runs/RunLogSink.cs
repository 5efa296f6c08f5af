using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Runs;

/// <summary>
/// The run folder's JSON log (<c>log.json</c>, one event per line). A run folder is known only after the recipe
/// has been read, so events are held until <see cref="Open"/> and then written first, and nothing from start-up is lost.
/// The shards of a cluster run each write a log of their own (logs/shard-K-of-N.json), never one file together.
/// </summary>
public sealed class RunLogSink : ILogEventSink, IDisposable
{
    private const int MaxPendingEvents = 10_000;
    private readonly object gate = new();
    private readonly List<LogEvent> pending = [];
    private Logger? file;

    public string? Path { get; private set; }

    /// <summary>The run folder the log is in (a shard's log is in its logs/ folder).</summary>
    public string? RunFolder { get; private set; }

    public void Emit(LogEvent logEvent)
    {
        lock (gate)
        {
            if (file is not null) file.Write(logEvent);
            else if (pending.Count < MaxPendingEvents) pending.Add(logEvent);
        }
    }

    /// <param name="fileName">Within the run folder: log.json for a whole run, logs/&lt;shard&gt;.json for a shard of one.</param>
    public void Open(string runFolder, string fileName = RunFolderFiles.LogFile)
    {
        lock (gate)
        {
            if (file is not null) return;
            RunFolder = runFolder;
            Path = System.IO.Path.Combine(runFolder, fileName);
            file = new LoggerConfiguration()
                .MinimumLevel.Verbose()
                .WriteTo.File(new CompactJsonFormatter(), Path, flushToDiskInterval: TimeSpan.FromSeconds(1))
                .CreateLogger();
            foreach (var logEvent in pending) file.Write(logEvent);
            pending.Clear();
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            file?.Dispose();
            file = null;
        }
    }
}
