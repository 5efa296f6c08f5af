namespace PeftQa.Host.Training;

/// <summary>Peak resident memory of this process (Linux: VmHWM, which writing "5" to /proc/self/clear_refs resets).</summary>
public static class ProcessMemory
{
    public static void ResetPeak()
    {
        try { if (OperatingSystem.IsLinux()) File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Bytes, or the .NET-visible working set where /proc is not available.</summary>
    public static long PeakBytes()
    {
        try
        {
            if (OperatingSystem.IsLinux())
                foreach (var line in File.ReadLines("/proc/self/status"))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) * 1024;
        }
        catch (IOException) { }
        return Environment.WorkingSet;
    }
}
