using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Runs;

/// <summary>
/// An exclusive lock on a run folder for as long as a run uses it: an OS file lock (flock) on <c>.peftqa-lock</c>, which
/// the kernel releases when the process ends however it ends, so a killed run never leaves a stale lock. Who holds it
/// (process id, host, start time, command line) is written beside it to <c>.peftqa-lock.json</c>, for the message a
/// second run gets.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    public const string LockFile = RunFolderFiles.LockFile;
    public const string HolderFile = RunFolderFiles.LockHolderFile;

    /// <summary>EWOULDBLOCK: .NET reports the errno of a refused flock as the HResult (11 on Linux, 35 on macOS).</summary>
    private const int WouldBlock = 11, WouldBlockMacOs = 35;

    /// <summary>ERROR_SHARING_VIOLATION, as Windows reports a file opened without sharing.</summary>
    private const int SharingViolation = unchecked((int)0x80070020);

    private readonly FileStream stream;
    private readonly string? holderPath;

    private RunFolderLock(FileStream stream, string? holderPath)
    {
        this.stream = stream;
        this.holderPath = holderPath;
    }

    /// <summary>Files of the lock itself, which do not make a run folder "non-empty".</summary>
    public static bool IsLockFile(string name) => name is LockFile or HolderFile;

    /// <summary>
    /// Locks <paramref name="folder"/> for this process alone (a run, or one study of a sharded run), or, with
    /// <paramref name="shared"/>, together with other sharing processes (the shards of one run) but never with an
    /// exclusive holder. <paramref name="what"/> names the folder in messages; <paramref name="log"/>, the holder's log
    /// file, is recorded for <c>peftqa status</c>.
    /// </summary>
    /// <exception cref="BadInputException">Another process holds the folder (named), or the folder cannot be written.</exception>
    public static RunFolderLock Acquire(string folder, bool shared = false, string what = "the run folder", string? log = null)
    {
        var path = Path.Combine(folder, LockFile);
        FileStream stream;
        try
        {
            if (shared && !File.Exists(path)) new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite).Dispose();
            // .NET takes flock(LOCK_SH) for a read-only stream that shares reading, flock(LOCK_EX) for FileShare.None.
            stream = shared
                ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)
                : new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e.HResult is WouldBlock or WouldBlockMacOs or SharingViolation)
        {
            throw new RunFolderInUseException($"{folder}: {what} is in use by {DescribeHolder(folder)}; wait for it to end, " +
                                        $"or choose another folder with --out ({e.Message})");
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new BadInputException($"{folder}: cannot create or lock {LockFile} in {what}: {e.Message}");
        }
        // Shared holders are many: none is named in the holder file, which describes an exclusive holder only.
        if (shared) return new RunFolderLock(stream, null);
        var holderPath = Path.Combine(folder, HolderFile);
        try
        {
            File.WriteAllText(holderPath, Holder(log).ToJsonString());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stream.Dispose();
            throw new BadInputException($"{folder}: cannot write to {what}: {e.Message}");
        }
        return new RunFolderLock(stream, holderPath);
    }

    /// <summary>A study's exclusive lock on its folder (created if needed), naming this process's log for <c>peftqa status</c>.</summary>
    /// <exception cref="BadInputException">Another process runs the study (named).</exception>
    public static RunFolderLock ForStudy(string studyFolder, string label, string? log)
    {
        Directory.CreateDirectory(studyFolder);
        return Acquire(studyFolder, what: $"study '{label}'", log: log);
    }

    /// <summary>Whether another process holds <paramref name="folder"/>'s lock now, without taking it or creating anything.</summary>
    public static bool IsHeld(string folder)
    {
        var path = Path.Combine(folder, LockFile);
        if (!File.Exists(path)) return false;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return false;
        }
        catch (IOException e) when (e.HResult is WouldBlock or WouldBlockMacOs or SharingViolation)
        {
            return true;
        }
    }

    /// <summary>The last exclusive holder as it described itself (kept after a process is killed), or null.</summary>
    public static JsonObject? LastHolder(string folder)
    {
        try { return JsonNode.Parse(File.ReadAllText(Path.Combine(folder, HolderFile))) as JsonObject; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return null; }
    }

    public void Dispose()
    {
        // The lock file stays: deleting it while another process waits to open it would let two runs lock two files.
        // The holder file is deleted through the open lock's own folder only if the folder was not moved meanwhile.
        if (holderPath is not null && File.Exists(stream.Name))
        {
            try { File.Delete(holderPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        stream.Dispose();
    }

    private static JsonObject Holder(string? log) => new()
    {
        ["log"] = log,
        ["pid"] = Environment.ProcessId,
        ["host"] = Environment.MachineName,
        ["started"] = DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz"),
        ["command"] = string.Join(' ', Environment.GetCommandLineArgs()),
    };

    private static string DescribeHolder(string folder)
    {
        try
        {
            if (!File.Exists(Path.Combine(folder, HolderFile))) return "the shards of a sharded run (peftqa status shows them)";
            var holder = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, HolderFile)));
            return $"peftqa process {holder?["pid"]} on {holder?["host"]} (started {holder?["started"]}: {holder?["command"]})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return "another peftqa process";
        }
    }
}
