namespace PeftQa.Host.Foundation;

/// <summary>Checks an output folder before any work, so a bad <c>--out</c> never throws finished work away.</summary>
public static class WritableFolder
{
    /// <summary>Creates <paramref name="folder"/> if needed and proves a file can be written there.</summary>
    /// <exception cref="BadInputException">
    /// It is a file, cannot be created, or cannot be written; the message names <paramref name="option"/>.
    /// </exception>
    public static string Ensure(string folder, string option)
    {
        var path = FullPath(folder, option);
        if (File.Exists(path)) throw new BadInputException($"{option} {path}: is a file; give a folder");
        var probe = Path.Combine(path, $".peftqa-write-test-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(path);
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{option} {path}: cannot write there: {e.Message}");
        }
        return path;
    }

    /// <summary>
    /// The full path of a folder given on the command line; a path that cannot be one is bad input naming
    /// <paramref name="option"/>.
    /// </summary>
    public static string FullPath(string folder, string option)
    {
        try { return Path.GetFullPath(folder); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new BadInputException($"{option} {folder}: not a valid folder path: {e.Message}");
        }
    }
}
