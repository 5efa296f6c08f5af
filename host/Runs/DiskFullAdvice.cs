using PeftQa.Host.Training;

namespace PeftQa.Host.Runs;

/// <summary>
/// What survived a full disk: checkpoints, study states and reports are written under temporary names and renamed,
/// so the last complete one of each stands, and a resume continues from the newest checkpoint.
/// </summary>
public static class DiskFullAdvice
{
    private const string Whole = "checkpoints, study states and reports are written whole or not at all";

    /// <param name="runFolder">The run folder the command wrote to; null when it had none yet.</param>
    public static string For(string? runFolder)
    {
        if (runFolder is null) return $"Everything already saved is intact ({Whole}).";
        try
        {
            var newest = Directory.EnumerateDirectories(runFolder, TrainingCheckpoint.Prefix + "*", SearchOption.AllDirectories)
                .OrderByDescending(Directory.GetLastWriteTimeUtc).FirstOrDefault();
            return newest is null
                ? $"Everything already saved in {runFolder} is intact ({Whole})."
                : $"The last checkpoint, {newest}, is intact ({Whole}).";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"Everything already saved in {runFolder} is intact ({Whole}).";
        }
    }
}
