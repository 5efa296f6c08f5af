using System.Diagnostics;
using PeftQa.Host.Modeling;

namespace PeftQa.Tests.Support;

/// <summary>
/// Tests whose path depends on how <c>precision: auto</c> resolves on the host (bf16 where the CPU has AVX512_BF16 or
/// AMX, fp32 elsewhere). <c>.ci/run</c> runs them a second time with <see cref="Bf16Support.SimulateVariable"/> set to
/// the other answer (<c>dotnet test --filter Precision=auto</c>), so both resolutions are exercised on every host.
/// </summary>
public static class PrecisionSensitive
{
    public const string Trait = "Precision";
    public const string Value = "auto";

    /// <summary>Starts peftqa (on the CPU) in a child process whose <c>auto</c> resolves as on a host that computes bf16 natively or not.</summary>
    public static Process StartAsOnHost(bool nativeBf16, params string[] args) =>
        Runs.KillAndResumeTests.StartWith(new Dictionary<string, string> { [Bf16Support.SimulateVariable] = nativeBf16 ? "native" : "emulated" }, args);

    /// <summary>As <see cref="StartAsOnHost"/>, to the end: the exit code and everything it printed.</summary>
    public static async Task<(int Code, string Output)> RunAsOnHost(bool nativeBf16, params string[] args)
    {
        using var process = StartAsOnHost(nativeBf16, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
