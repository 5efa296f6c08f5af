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
    public const string RecipeFile = "recipe.json";

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
        string path;
        try { path = System.IO.Path.GetFullPath(folder); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new BadInputException($"--out {folder}: not a valid folder path: {e.Message}");
        }
        if (File.Exists(path)) throw new BadInputException($"{path}: is a file, not a run folder; choose a folder with --out");
        if (mode == RunFolderMode.Resume && !Directory.Exists(path)) throw new BadInputException($"--resume: run folder {path} does not exist");
        try { Directory.CreateDirectory(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new BadInputException($"{path}: cannot create the run folder: {e.Message}");
        }

        RefuseEarly(path, mode);
        var runLock = RunFolderLock.Acquire(path);
        try
        {
            return new RunFolder(path, runLock, Prepare(path, mode));
        }
        catch
        {
            runLock.Dispose();
            throw;
        }
    }

    public void Dispose() => runLock.Dispose();

    /// <summary>Checks the folder's contents against the mode; for an overwrite, moves them aside and returns where to.</summary>
    private static string? Prepare(string path, RunFolderMode mode)
    {
        switch (mode)
        {
            case RunFolderMode.Resume when !File.Exists(System.IO.Path.Combine(path, RecipeFile)):
                throw new BadInputException($"--resume: {path} holds no {RecipeFile}, so it is not a run folder (or its run never started); run without --resume");
            case RunFolderMode.New:
                RefuseIfUsed(path);
                return null;
            case RunFolderMode.Overwrite when Contents(path) is { Count: > 0 } contents:
                return MoveAside(path, contents);
            default:
                return null;
        }
    }

    /// <summary>
    /// The refusals that can be made before the lock file is created, so a refused run leaves nothing behind in someone
    /// else's folder. A folder with a lock file (a run's) is left to the lock, which names a live holder.
    /// </summary>
    private static void RefuseEarly(string path, RunFolderMode mode)
    {
        if (mode == RunFolderMode.Resume && !File.Exists(System.IO.Path.Combine(path, RecipeFile)))
            throw new BadInputException($"--resume: {path} holds no {RecipeFile}, so it is not a run folder (or its run never started); run without --resume");
        if (mode == RunFolderMode.New && !File.Exists(System.IO.Path.Combine(path, RunFolderLock.LockFile))) RefuseIfUsed(path);
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

    private static string MoveAside(string path, IReadOnlyList<string> contents)
    {
        var baseName = $"{path.TrimEnd(System.IO.Path.DirectorySeparatorChar)}.replaced-{DateTime.Now:yyyyMMdd-HHmmss}";
        var aside = baseName;
        for (int n = 2; Directory.Exists(aside) || File.Exists(aside); n++) aside = $"{baseName}~{n}";
        try
        {
            Directory.CreateDirectory(aside);
            foreach (var entry in contents)
            {
                var target = System.IO.Path.Combine(aside, System.IO.Path.GetFileName(entry));
                if (Directory.Exists(entry)) Directory.Move(entry, target);
                else File.Move(entry, target);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"--overwrite: could not move the contents of {path} to {aside}: {e.Message}; nothing was deleted");
        }
        return aside;
    }

    /// <summary>Everything in the folder but the lock's own files.</summary>
    private static List<string> Contents(string path) =>
        Directory.EnumerateFileSystemEntries(path).Where(e => !RunFolderLock.IsLockFile(System.IO.Path.GetFileName(e))).Order(StringComparer.Ordinal).ToList();

    private static string Summarize(IReadOnlyList<string> entries) =>
        string.Join(", ", entries.Take(4).Select(System.IO.Path.GetFileName)) + (entries.Count > 4 ? $" and {entries.Count - 4} more" : "");
}
