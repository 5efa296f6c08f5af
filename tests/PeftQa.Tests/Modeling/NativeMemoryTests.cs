using System.Runtime.InteropServices;
using NativeMemory = PeftQa.Host.Modeling.NativeMemory;
using FluentAssertions;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.Modeling;

/// <summary>
/// The heap kept for tensor work stays near what is live: oneDNN's primitive cache is capped, and freed pages go back
/// to the system between phases. Resident memory is process-wide, so these tests run alone.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class NativeMemoryTests
{
    [Fact]
    public void oneDnns_primitive_cache_is_capped_in_the_native_environment_unless_the_user_set_it()
    {
        NativeMemory.TuneForLargeTensors().Should().BeTrue("the suite runs on Linux with glibc");

        string expected = Environment.GetEnvironmentVariable("ONEDNN_PRIMITIVE_CACHE_CAPACITY")
            ?? (Environment.GetEnvironmentVariable("DNNL_PRIMITIVE_CACHE_CAPACITY") is null ? NativeMemory.OneDnnPrimitiveCacheCapacity.ToString() : null)!;
        Marshal.PtrToStringAnsi(GetEnv("ONEDNN_PRIMITIVE_CACHE_CAPACITY")).Should().Be(expected,
            "oneDNN reads the native environment, not .NET's copy of it");
    }

    [Fact]
    public void Freed_tensor_memory_goes_back_to_the_system_when_a_phase_ends()
    {
        NativeMemory.TuneForLargeTensors().Should().BeTrue("the suite runs on Linux with glibc");
        const long Bytes = 384L << 20;
        using (var warmUp = ones(Bytes / 64 / sizeof(float))) warmUp.sum().Dispose(); // libtorch's own first-use memory
        NativeMemory.ReturnFreedPages();
        long before = ResidentBytes();
        // Blocks of a step's activations' size (16 x 128 x 1,536 bf16 is 6 MB), not one block too large for a thread's
        // arena, which glibc would map and unmap by itself.
        var activations = Enumerable.Range(0, 64).Select(_ => ones(Bytes / 64 / sizeof(float))).ToList();
        long allocated = ResidentBytes();
        activations.ForEach(a => a.Dispose());
        long afterFree = ResidentBytes();

        NativeMemory.ReturnFreedPages();

        long afterPhase = ResidentBytes();
        // 3/4, not all: the heap may already hold a few resident free pages that the tensors reuse.
        (allocated - before).Should().BeGreaterThan(Bytes * 3 / 4, "the tensors' pages were touched");
        (afterFree - before).Should().BeGreaterThan(Bytes * 3 / 4, "the heap keeps freed activations for the next step");
        (afterPhase - before).Should().BeLessThan(Bytes / 4, "the end of a phase gives the freed pages back");
    }

    private static long ResidentBytes() =>
        long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1]) * Environment.SystemPageSize;

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv(string name);
}
