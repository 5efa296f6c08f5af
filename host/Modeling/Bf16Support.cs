using System.Diagnostics;
using System.Globalization;
using PeftQa.Host.Foundation;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Whether a device computes bfloat16 matrix products natively, and the evidence: on a CPU the AVX512_BF16 or AMX-BF16
/// instruction flags (without them libtorch emulates bf16, far slower than fp32); on an NVIDIA GPU compute capability 8.0
/// (Ampere) or newer, read from nvidia-smi. Evidence that cannot be read counts as not native, so <c>auto</c> stays fp32.
/// <see cref="SimulateVariable"/> makes a CPU answer as another host's would, so the test suite exercises both
/// resolutions of <c>auto</c> on any host.
/// </summary>
public sealed record Bf16Support(bool Native, string Evidence)
{
    /// <summary>For plans made where no device is chosen (a report rebuilt from a run folder, a submission).</summary>
    public static readonly Bf16Support NotChecked = new(false, "bf16 support not checked here");

    /// <summary>
    /// <c>native</c>: answer as a CPU with AVX512_BF16 would; <c>emulated</c>: as one without (an AVX2 host). For tests
    /// and for reproducing another host's <c>auto</c>; the products still run on this CPU's own kernels.
    /// </summary>
    public const string SimulateVariable = "PEFTQA_CPU_BF16";

    public static Bf16Support Of(Device device) => device.type == TorchSharp.DeviceType.CUDA
        ? OfCuda(CudaComputeCapability())
        : Simulated(OfCpu(CpuFlags.Read()), Environment.GetEnvironmentVariable(SimulateVariable));

    /// <summary>The CPU's own answer, unless <paramref name="simulation"/> (the value of <see cref="SimulateVariable"/>) replaces it.</summary>
    /// <exception cref="BadInputException">The variable holds something other than native or emulated.</exception>
    public static Bf16Support Simulated(Bf16Support measured, string? simulation) => simulation?.Trim().ToLowerInvariant() switch
    {
        null or "" => measured,
        "native" => new(true, $"{SimulateVariable}=native: treated as a CPU that computes bf16 natively (this one: {measured.Evidence})"),
        "emulated" => new(false, $"{SimulateVariable}=emulated: treated as a CPU that only emulates bf16 (this one: {measured.Evidence})"),
        _ => throw new BadInputException($"{SimulateVariable}={simulation}: expected native or emulated, or unset to read this CPU's flags"),
    };

    public static Bf16Support OfCpu(IReadOnlySet<string>? flags)
    {
        if (flags is null) return new(false, "this CPU's instruction flags cannot be read (no /proc/cpuinfo)");
        var native = new[] { "amx_bf16", "avx512_bf16" }.Where(flags.Contains).ToList();
        return native.Count > 0
            ? new(true, $"this CPU computes bf16 natively ({string.Join(", ", native)})")
            : new(false, "this CPU has neither AVX512_BF16 nor AMX-BF16, so libtorch emulates bf16 products");
    }

    public static Bf16Support OfCuda(string? computeCapability)
    {
        if (computeCapability is null || !double.TryParse(computeCapability, NumberStyles.Float, CultureInfo.InvariantCulture, out double capability))
            return new(false, "this GPU's compute capability cannot be read (nvidia-smi)");
        return capability >= 8.0
            ? new(true, $"this GPU computes bf16 natively (compute capability {computeCapability})")
            : new(false, $"this GPU (compute capability {computeCapability}, before 8.0) has no fast bf16 products");
    }

    /// <summary>The first GPU's compute capability as nvidia-smi prints it ("9.0"); null without nvidia-smi.</summary>
    private static string? CudaComputeCapability()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nvidia-smi", "--query-gpu=compute_cap --format=csv,noheader")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            });
            if (process is null) return null;
            string output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(10_000) || process.ExitCode != 0) return null;
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
