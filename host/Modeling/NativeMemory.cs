using System.Runtime.InteropServices;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Tunes glibc malloc for tensor work. Activations of a 16 x 384 batch exceed glibc's 32 MB mmap threshold, so by
/// default every such tensor is mmap'ed, page-faulted in and unmapped again on every step; measured here that cost
/// 25-30% of inference and training throughput. Keeping large blocks in the heap (no mmap, no trimming, one arena)
/// lets freed activations be reused as they are. Such a heap only grows, so two things keep it from growing past what
/// a step needs: oneDNN's primitive cache is kept small (<see cref="OneDnnPrimitiveCacheCapacity"/>), and freed pages
/// go back to the system between training and evaluation (<see cref="ReturnFreedPages"/>).
/// Set PEFTQA_MALLOC_TUNING=0 to keep glibc's and oneDNN's defaults.
/// </summary>
public static class NativeMemory
{
    /// <summary>
    /// oneDNN (bf16 products, the fp32 route) caches a primitive for every product shape it meets, 1,024 by default.
    /// Training meets new shapes with every new batch length, and the cached primitives, small blocks left among the
    /// freed activations, kept the heap from reusing them: 400 full fine-tuning steps on SQuAD peaked at 4.08 GB
    /// resident with the default cache, 3.40 GB with 64 entries. Not fewer: a step uses about 20 shapes, and with 16
    /// entries a step of one repeated shape rebuilt every primitive (bench: 2.26 s a full step against 1.18 s).
    /// ONEDNN_PRIMITIVE_CACHE_CAPACITY (or DNNL_) set by the user wins.
    /// </summary>
    public const int OneDnnPrimitiveCacheCapacity = 64;

    private const int MTrimThreshold = -1;
    private const int MMmapMax = -4;
    private const int MArenaMax = -8;

    private static int applied;
    private static bool tuned;

    /// <summary>True when the settings were applied (Linux with glibc, not disabled). Safe to call more than once.</summary>
    public static bool TuneForLargeTensors()
    {
        if (Interlocked.Exchange(ref applied, 1) == 1) return tuned;
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("PEFTQA_MALLOC_TUNING") == "0") return false;
        try
        {
            // Before libtorch's first oneDNN primitive: oneDNN reads the variable once, when its cache is created.
            if (Environment.GetEnvironmentVariable("ONEDNN_PRIMITIVE_CACHE_CAPACITY") is null &&
                Environment.GetEnvironmentVariable("DNNL_PRIMITIVE_CACHE_CAPACITY") is null)
                SetEnv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", OneDnnPrimitiveCacheCapacity.ToString(), 0);
            tuned = Mallopt(MMmapMax, 0) == 1 & Mallopt(MTrimThreshold, -1) == 1 & Mallopt(MArenaMax, 1) == 1;
            return tuned;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false; // not glibc (musl has no mallopt)
        }
    }

    /// <summary>
    /// Gives the heap's free pages back to the system (glibc's malloc_trim, which also releases whole free pages in the
    /// middle of the heap), so the next phase (training after evaluation, or the reverse) starts from what is live,
    /// not from the last phase's peak. Once per phase: every step would fault each activation's pages in anew.
    /// </summary>
    public static void ReturnFreedPages()
    {
        if (!tuned) return;
        try { MallocTrim(0); }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);
}
