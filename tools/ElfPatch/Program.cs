using PeftQa.ElfPatch;

// Usage: ElfPatch <library.so>... [--libstdcxx <path>]
// Weakens, in the given files only, each GLIBCXX version requirement that the system's libstdc++ lacks
// (see ElfVersionNeeds). Meant for the copies in build and publish folders, never for the NuGet cache.
var libraries = new List<string>();
string? libstdcxx = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--libstdcxx" && i + 1 < args.Length) libstdcxx = args[++i];
    else libraries.Add(args[i]);
}
if (libraries.Count == 0)
{
    Console.Error.WriteLine("usage: ElfPatch <library.so>... [--libstdcxx <path>]");
    return 2;
}

libstdcxx ??= SystemLibraries.FindLibStdCxx();
if (libstdcxx is null)
{
    Console.WriteLine("ElfPatch: no system libstdc++.so.6 found; nothing to do");
    return 0;
}

var available = ElfVersionNeeds.ReadVersionDefinitions(File.ReadAllBytes(libstdcxx));
int failures = 0;
foreach (var library in libraries)
{
    try
    {
        var bytes = File.ReadAllBytes(library);
        var outcome = ElfVersionNeeds.WeakenMissingVersions(bytes, "libstdc++.so.6", available);
        if (outcome.Weakened.Count > 0)
        {
            SystemLibraries.ReplaceKeepingTimestamp(library, bytes);
            Console.WriteLine($"ElfPatch: {library}: marked weak {string.Join(", ", outcome.Weakened)} (absent from {libstdcxx})");
        }
        foreach (var refused in outcome.Refused)
        {
            Console.Error.WriteLine($"ElfPatch: {library}: cannot weaken {refused}");
            failures++;
        }
    }
    catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"ElfPatch: {library}: {e.Message}");
        failures++;
    }
}
return failures == 0 ? 0 : 1;
