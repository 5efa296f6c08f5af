using System.Runtime.InteropServices;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Tunes glibc malloc for tensor work. Activations of a 16 x 384 batch exceed glibc's 32 MB mmap threshold, so by
/// default every such tensor is mmap'ed, page-faulted in and unmapped again on every step; measured here that cost
/// 25-30% of inference and training throughput. Keeping large blocks in the heap (no mmap, no trimming, one arena)
/// lets freed activations be reused as they are; memory stays flat at the peak of one step.
/// Set PEFTQA_MALLOC_TUNING=0 to keep glibc's defaults.
/// </summary>
public static class NativeMemory
{
    private const int MTrimThreshold = -1;
    private const int MMmapMax = -4;
    private const int MArenaMax = -8;

    private static int applied;

    /// <summary>True when the settings were applied (Linux with glibc, not disabled). Safe to call more than once.</summary>
    public static bool TuneForLargeTensors()
    {
        if (Interlocked.Exchange(ref applied, 1) == 1) return true;
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("PEFTQA_MALLOC_TUNING") == "0") return false;
        try
        {
            return Mallopt(MMmapMax, 0) == 1 & Mallopt(MTrimThreshold, -1) == 1 & Mallopt(MArenaMax, 1) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false; // not glibc (musl has no mallopt)
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);
}
