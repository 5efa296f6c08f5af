using PeftQa.Host.Foundation;

namespace PeftQa.Host.Runs;

/// <summary>
/// A run folder opened for one run: created if needed, locked for the run's lifetime (<see cref="RunFolderLock"/>), and
/// checked against how the run means to use it. A folder that holds anything is never reused by a new run: it must be
/// resumed (<see cref="RunFolderMode.Resume"/>) or replaced (<see cref="RunFolderMode.Overwrite"/>, which moves the old
/// contents to a sibling folder first, so nothing is lost).
/// </summary>
public sealed class RunFolder : IDisposable
{
    public const string RecipeFile = RunFolderFiles.RecipeFile;

    private readonly RunFolderLock runLock;

    private RunFolder(string path, RunFolderLock runLock, string? movedAsideTo)
    {
        Path = path;
        this.runLock = runLock;
        MovedAsideTo = movedAsideTo;
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>With <see cref="RunFolderMode.Overwrite"/>: where the old contents went, if there were any.</summary>
    public string? MovedAsideTo { get; }

    /// <exception cref="BadInputException">The folder cannot be created or written, is in use, or does not suit <paramref name="mode"/>.</exception>
    public static RunFolder Open(string folder, RunFolderMode mode)
    {
        var path = Check(folder, mode);
        // A folder with a lock file (a run's) is left to the lock, which names a live holder; otherwise a refused new run
        // is refused before it creates anything in someone else's folder.
        if (mode == RunFolderMode.New
            && Directory.Exists(path)
            && !File.Exists(System.IO.Path.Combine(path, RunFolderLock.LockFile))) RefuseIfUsed(path);
        var movedAside = mode == RunFolderMode.Overwrite ? MoveAside(path) : null;
        try { Directory.CreateDirectory(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new BadInputException($"{path}: cannot create the run folder: {e.Message}");
        }

        var runLock = RunFolderLock.Acquire(path, shared: mode == RunFolderMode.Shard);
        try
        {
            if (mode == RunFolderMode.New) RefuseIfUsed(path); // again under the lock: another run may have filled it meanwhile
            return new RunFolder(path, runLock, movedAside);
        }
        catch
        {
            runLock.Dispose();
            throw;
        }
    }

    public void Dispose() => runLock.Dispose();

    /// <summary>
    /// What <see cref="Open"/> refuses before touching anything, without creating, locking or writing: also the dry
    /// run's check (where a used folder is refused even when a run holds it).
    /// </summary>
    /// <returns>The folder's full path.</returns>
    /// <exception cref="BadInputException">The folder is a file or lies under one, or does not suit <paramref name="mode"/>.</exception>
    public static string Check(string folder, RunFolderMode mode, bool refuseUsed = false)
    {
        var path = WritableFolder.FullPath(folder, "--out");
        if (File.Exists(path)) throw new BadInputException($"{path}: is a file, not a run folder; choose a folder with --out");
        for (var above = System.IO.Path.GetDirectoryName(path); above is not null; above = System.IO.Path.GetDirectoryName(above))
            if (File.Exists(above))
                throw new BadInputException($"{path}: cannot be a run folder: {above} is a file (check the recipe's output or --out)");
        if (mode == RunFolderMode.Resume && !File.Exists(System.IO.Path.Combine(path, RecipeFile)))
            throw new BadInputException($"--resume: {path} holds no {RecipeFile}, " +
                                        "so it is not a run folder (or its run never started); run without --resume");
        if (mode == RunFolderMode.Shard && !File.Exists(System.IO.Path.Combine(path, RecipeFile)))
            throw new BadInputException($"{path} holds no {RecipeFile}: " +
                                        "a shard runs in a prepared run folder (peftqa run <recipe> --out <folder> --stage baseline)");
        if (refuseUsed && mode == RunFolderMode.New && Directory.Exists(path)) RefuseIfUsed(path);
        return path;
    }

    private static void RefuseIfUsed(string path)
    {
        var contents = Contents(path);
        if (contents.Count == 0) return;
        bool isRun = File.Exists(System.IO.Path.Combine(path, RecipeFile));
        throw new BadInputException($"{path}: {(isRun ? "already holds a run" : "is not empty")} ({Summarize(contents)}); " +
                                    (isRun ? "continue it with --resume, " : "") +
                                    "choose another folder with --out, or pass --overwrite to move its contents aside and start again");
    }

    /// <summary>
    /// Renames the whole folder to a sibling <c>&lt;folder&gt;.replaced-&lt;time&gt;</c>, holding its lock meanwhile (so a
    /// run still using it is named, not moved): one rename, so a kill leaves the old run either in place or aside, whole.
    /// </summary>
    private static string? MoveAside(string path)
    {
        if (!Directory.Exists(path) || Contents(path).Count == 0) return null;
        var baseName = $"{path.TrimEnd(System.IO.Path.DirectorySeparatorChar)}.replaced-{DateTime.Now:yyyyMMdd-HHmmss}";
        var aside = baseName;
        for (int n = 2; Directory.Exists(aside) || File.Exists(aside); n++) aside = $"{baseName}~{n}";
        using (RunFolderLock.Acquire(path))
        {
            try { Directory.Move(path, aside); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new BadInputException($"--overwrite: could not move {path} to {aside}: {e.Message}; nothing was moved or deleted");
            }
        }
        File.Delete(System.IO.Path.Combine(aside, RunFolderLock.HolderFile));
        return aside;
    }

    /// <summary>Everything in the folder but the lock's own files.</summary>
    private static List<string> Contents(string path) =>
        Directory.EnumerateFileSystemEntries(path)
            .Where(e => !RunFolderLock.IsLockFile(System.IO.Path.GetFileName(e)))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string Summarize(IReadOnlyList<string> entries) =>
        string.Join(", ", entries.Take(4).Select(System.IO.Path.GetFileName)) + (entries.Count > 4 ? $" and {entries.Count - 4} more" : "");
}
