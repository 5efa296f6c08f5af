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
    public const string LockFile = ".peftqa-lock";
    public const string HolderFile = ".peftqa-lock.json";

    /// <summary>EWOULDBLOCK: .NET reports the errno of a refused flock as the HResult (11 on Linux, 35 on macOS).</summary>
    private const int WouldBlock = 11, WouldBlockMacOs = 35;

    /// <summary>ERROR_SHARING_VIOLATION, as Windows reports a file opened without sharing.</summary>
    private const int SharingViolation = unchecked((int)0x80070020);

    private readonly FileStream stream;
    private readonly string holderPath;

    private RunFolderLock(FileStream stream, string holderPath)
    {
        this.stream = stream;
        this.holderPath = holderPath;
    }

    /// <summary>Files of the lock itself, which do not make a run folder "non-empty".</summary>
    public static bool IsLockFile(string name) => name is LockFile or HolderFile;

    /// <exception cref="BadInputException">Another process holds the folder (named), or the folder cannot be written.</exception>
    public static RunFolderLock Acquire(string folder)
    {
        var path = Path.Combine(folder, LockFile);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e.HResult is WouldBlock or WouldBlockMacOs or SharingViolation)
        {
            throw new BadInputException($"{folder}: the run folder is in use by {DescribeHolder(folder)}; wait for that run to end, " +
                                        $"or choose another folder with --out ({e.Message})");
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new BadInputException($"{folder}: cannot create or lock {LockFile} in the run folder: {e.Message}");
        }
        var holderPath = Path.Combine(folder, HolderFile);
        try
        {
            File.WriteAllText(holderPath, Holder().ToJsonString());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stream.Dispose();
            throw new BadInputException($"{folder}: cannot write to the run folder: {e.Message}");
        }
        return new RunFolderLock(stream, holderPath);
    }

    public void Dispose()
    {
        // The lock file stays: deleting it while another process waits to open it would let two runs lock two files.
        // The holder file is deleted through the open lock's own folder only if the folder was not moved meanwhile.
        if (File.Exists(stream.Name))
        {
            try { File.Delete(holderPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        stream.Dispose();
    }

    private static JsonObject Holder() => new()
    {
        ["pid"] = Environment.ProcessId,
        ["host"] = Environment.MachineName,
        ["started"] = DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz"),
        ["command"] = string.Join(' ', Environment.GetCommandLineArgs()),
    };

    private static string DescribeHolder(string folder)
    {
        try
        {
            var holder = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, HolderFile)));
            return $"peftqa process {holder?["pid"]} on {holder?["host"]} (started {holder?["started"]}: {holder?["command"]})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return "another peftqa process";
        }
    }
}
