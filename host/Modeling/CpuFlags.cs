namespace PeftQa.Host.Modeling;

/// <summary>This CPU's instruction flags, as /proc/cpuinfo lists them: what bf16 support and speed figures depend on.</summary>
public static class CpuFlags
{
    /// <summary>The flags that decide which kernels libtorch and oneDNN can use, in this order; the host's speed figures
    /// are comparable only between hosts with the same ones.</summary>
    public static readonly IReadOnlyList<string> SpeedRelevant =
        ["avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8"];

    /// <summary>The flags of the first processor in /proc/cpuinfo; null where there is none.</summary>
    public static HashSet<string>? Read()
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo")) return null;
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            return line is null ? null : [.. line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Which of <see cref="SpeedRelevant"/> this CPU has; empty where the flags cannot be read.</summary>
    public static IReadOnlyList<string> SpeedRelevantHere()
    {
        var flags = Read();
        return flags is null ? [] : SpeedRelevant.Where(flags.Contains).ToList();
    }
}
