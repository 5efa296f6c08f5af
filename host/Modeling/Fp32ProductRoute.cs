using System.Text.Json.Serialization;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Which kernels compute this host's fp32 matrix products, and why: libtorch's default (MKL), or, asked for with
/// <see cref="Variable"/><c>=onednn</c> on a CPU with AVX-512 and no AMX, oneDNN's (see <see cref="OneDnnFp32Matmul"/>).
/// Both compute in fp32. A host property, decided again by every process of a run.
/// </summary>
/// <remarks>
/// Opt-in because of what it measured on the 2-core AVX-512 host: a repeated 2048^3 product ran at 213 GFLOP/s
/// against MKL's 189, but real training, whose batches change length, ran at the same speed (12-14 windows/s either
/// way over 150 SQuAD steps) while resident memory grew with every new shape (5.9 GB after 150 steps against
/// 3.2 GB), and evaluation of 1,000 dev questions took as long (30.7 s against 29.3 s).
/// </remarks>
public sealed record Fp32ProductRoute(bool OneDnn, string Reason)
{
    /// <summary><c>onednn</c> asks for oneDNN's kernels where the CPU allows them; unset or <c>default</c> keeps libtorch's.</summary>
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
        : Decide(cpu: true, CpuFlags.Read(), Environment.GetEnvironmentVariable(Variable), Missing());

    /// <summary>Whether this CPU could take the oneDNN route (for bench's matmulGflopsFp32OneDnn), and why not.</summary>
    public static (bool Possible, string Reason) OneDnnPossibleHere() => OneDnnPossible(CpuFlags.Read(), Missing());

    /// <summary>The decision table, free of the host so every flag combination can be tested.</summary>
    /// <param name="variable">The value of <see cref="Variable"/>: unset, <c>default</c> or <c>onednn</c>.</param>
    /// <param name="missing">Why libtorch's switch is unavailable; null when it is available.</param>
    /// <exception cref="BadInputException">The variable holds another value.</exception>
    public static Fp32ProductRoute Decide(bool cpu, IReadOnlySet<string>? flags, string? variable, string? missing)
    {
        var setting = variable?.Trim().ToLowerInvariant();
        if (setting is not (null or "" or "default" or "onednn"))
            throw new BadInputException($"{Variable}={variable}: expected onednn or default, or unset for libtorch's default kernels");
        if (!cpu) return new(false, "not a CPU: libtorch's own GPU kernels");
        var (possible, why) = OneDnnPossible(flags, missing);
        if (setting != "onednn")
            return new(false, possible ? $"libtorch's default; {Variable}=onednn would take oneDNN's fp32 AVX-512 kernels" : why);
        return possible ? new(true, $"{Variable}=onednn: oneDNN's fp32 AVX-512 kernels") : new(false, $"{Variable}=onednn refused: {why}");
    }

    private static (bool Possible, string Reason) OneDnnPossible(IReadOnlySet<string>? flags, string? missing)
    {
        if (flags is null) return (false, "this CPU's instruction flags cannot be read (no /proc/cpuinfo)");
        if (flags.Contains("amx_tile") || flags.Contains("amx_bf16")) return (false, "AMX: oneDNN would compute fp32 products in bf16");
        if (!flags.Contains("avx512f")) return (false, "no AVX-512: MKL's AVX2 kernels");
        return missing is null ? (true, "AVX-512 without AMX") : (false, missing);
    }

    private static string? Missing() => OneDnnFp32Matmul.Available ? null : OneDnnFp32Matmul.Missing ?? "the switch is missing";
}
