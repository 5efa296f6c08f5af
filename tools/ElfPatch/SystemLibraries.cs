namespace PeftQa.ElfPatch;

/// <summary>Finding the libstdc++ the dynamic loader will use, and replacing a file safely.</summary>
public static class SystemLibraries
{
    private static readonly string[] LibStdCxxCandidates =
    [
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    ];

    /// <summary>LD_LIBRARY_PATH first, as the loader does, then the usual system folders.</summary>
    public static string? FindLibStdCxx()
    {
        var fromEnvironment = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "libstdc++.so.6"));
        return fromEnvironment.Concat(LibStdCxxCandidates).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// Writes beside the file, then renames over it, so a crash never leaves half a library. The original
    /// timestamp is kept so that MSBuild's incremental copy sees the file as up to date and does not copy the
    /// unpatched original over it again.
    /// </summary>
    public static void ReplaceKeepingTimestamp(string path, byte[] contents)
    {
        var timestamp = File.GetLastWriteTimeUtc(path);
        var temporary = path + ".elfpatch.tmp";
        File.WriteAllBytes(temporary, contents);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
        File.SetLastWriteTimeUtc(temporary, timestamp);
        File.Move(temporary, path, overwrite: true);
    }
}
