using System.Text.Json.Serialization;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Which kernels compute this host's fp32 matrix products, and why: libtorch's default (MKL), or oneDNN where the CPU
/// has AVX-512 and no AMX (see <see cref="OneDnnFp32Matmul"/>). Both compute in fp32; only the speed differs. A host
/// property, decided again by every process of a run (a resume on another host takes that host's route).
/// </summary>
public sealed record Fp32ProductRoute(bool OneDnn, string Reason)
{
    /// <summary><c>default</c> keeps libtorch's default kernels on any host (to reproduce another host's products).</summary>
    public const string Variable = "PEFTQA_FP32_PRODUCTS";

    /// <summary>For plans made where no device is chosen (a report rebuilt from a run folder, a submission).</summary>
    public static readonly Fp32ProductRoute NotChecked = new(false, "not checked here");

    /// <summary>Short name for logs, tables and JSON: <c>onednn</c> or <c>default</c>.</summary>
    [JsonIgnore]
    public string Name => OneDnn ? "onednn" : "default";

    public override string ToString() => $"{Name} ({Reason})";

    /// <summary>The route of this process's device: reads the CPU flags, <see cref="Variable"/> and whether libtorch exports the switch.</summary>
    public static Fp32ProductRoute Of(TorchSharp.torch.Device device) => device.type != TorchSharp.DeviceType.CPU
        ? Decide(cpu: false, null, null, null)
        : Decide(cpu: true, CpuFlags.Read(), Environment.GetEnvironmentVariable(Variable),
            OneDnnFp32Matmul.Available ? null : OneDnnFp32Matmul.Missing ?? "the switch is missing");

    /// <summary>The decision table, free of the host so every flag combination can be tested.</summary>
    /// <param name="variable">The value of <see cref="Variable"/>: unset, or <c>default</c>.</param>
    /// <param name="missing">Why libtorch's switch is unavailable; null when it is available.</param>
    /// <exception cref="BadInputException">The variable holds something other than <c>default</c>.</exception>
    public static Fp32ProductRoute Decide(bool cpu, IReadOnlySet<string>? flags, string? variable, string? missing)
    {
        var setting = variable?.Trim().ToLowerInvariant();
        if (setting is not (null or "" or "default"))
            throw new BadInputException($"{Variable}={variable}: expected default, or unset to choose by this CPU's flags");
        if (!cpu) return new(false, "not a CPU: libtorch's own GPU kernels");
        if (setting == "default") return new(false, $"{Variable}=default");
        if (flags is null) return new(false, "this CPU's instruction flags cannot be read (no /proc/cpuinfo)");
        if (flags.Contains("amx_tile") || flags.Contains("amx_bf16"))
            return new(false, "AMX: oneDNN's route would compute fp32 products in bf16, so MKL keeps them");
        if (!flags.Contains("avx512f")) return new(false, "no AVX-512: MKL's AVX2 kernels");
        return missing is null
            ? new(true, "AVX-512 without AMX: oneDNN's fp32 AVX-512 kernels, faster than MKL's")
            : new(false, $"AVX-512 without AMX would use oneDNN, but {missing}");
    }
}
