namespace PeftQa.Host.Foundation;

/// <summary>
/// Files replaced whole: written beside the target under a temporary name, then renamed over it, so a crash or a full
/// disk leaves the old file or the new one, never half of one.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) => Replace(path, temporary => File.WriteAllText(temporary, text));

    public static void WriteAllBytes(string path, byte[] bytes) => Replace(path, temporary => File.WriteAllBytes(temporary, bytes));

    private static void Replace(string path, Action<string> write)
    {
        var temporary = path + ".tmp";
        write(temporary);
        File.Move(temporary, path, overwrite: true);
    }
}
