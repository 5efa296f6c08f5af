using System.Runtime.InteropServices;

namespace PeftQa.Host.Modeling;

/// <summary>
/// libtorch's switch that sends fp32 matrix products (<c>mm</c>, <c>addmm</c>, <c>linear</c> and their gradients) to
/// oneDNN instead of MKL: <c>at::globalContext().setFloat32Precision(MKLDNN, MATMUL, BF16)</c>, which is what
/// <c>torch.backends.mkldnn.matmul.fp32_precision = "bf16"</c> sets in Python. TorchSharp does not bind it, so it is
/// called through libtorch_cpu's exported C++ symbols; where they are missing (another libtorch build) it reports
/// unavailable and nothing changes. The setting is process-wide.
/// </summary>
/// <remarks>
/// Without AMX, oneDNN computes these products with its fp32 AVX-512 kernels (fp32 accuracy, faster than MKL's here);
/// with AMX the same setting computes them in bf16, so <see cref="Fp32ProductRoute"/> never turns it on there.
/// </remarks>
public static class OneDnnFp32Matmul
{
    // c10 enums (ATen/Context.h, libtorch 2.10): Float32Backend { GENERIC, CUDA, MKLDNN }, Float32Op { ALL, CONV, RNN,
    // MATMUL }, Float32Precision { NONE, IEEE, TF32, BF16 }.
    private const int MkldnnBackend = 2;
    private const int MatmulOp = 3;
    private const int IeeePrecision = 1;
    private const int Bf16Precision = 3;

    private const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    private const string SetPrecisionSymbol = "_ZN2at7Context19setFloat32PrecisionENS_14Float32BackendENS_9Float32OpENS_16Float32PrecisionE";
    private const string GetPrecisionSymbol = "_ZNK2at7Context16float32PrecisionENS_14Float32BackendENS_9Float32OpE";

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetPrecision(IntPtr context, int backend, int op, int precision);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate byte GetPrecision(IntPtr context, int backend, int op);

    private static readonly Lazy<Binding?> binding = new(Bind);

    /// <summary>Whether this libtorch exports the switch; when false, <see cref="Set"/> changes nothing.</summary>
    public static bool Available => binding.Value is not null;

    /// <summary>Why the switch is missing, for the one log line; null when it is available.</summary>
    public static string? Missing { get; private set; }

    /// <summary>Whether fp32 products go to oneDNN now (read back from libtorch, not remembered).</summary>
    public static bool Enabled => binding.Value is { } b && b.Get(b.Context(), MkldnnBackend, MatmulOp) == Bf16Precision;

    /// <summary>Turns the route on or off; returns false (changing nothing) where the switch is unavailable.</summary>
    public static bool Set(bool enabled)
    {
        if (binding.Value is not { } b) return false;
        b.Set(b.Context(), MkldnnBackend, MatmulOp, enabled ? Bf16Precision : IeeePrecision);
        return true;
    }

    private sealed record Binding(GlobalContext Context, SetPrecision Set, GetPrecision Get);

    private static Binding? Bind()
    {
        // TorchSharp has loaded libtorch_cpu by now only if a tensor was made; touching the library makes sure it is.
        using (TorchSharp.torch.empty(1)) { }
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", typeof(TorchSharp.torch).Assembly, null, out var library)
            && !NativeLibrary.TryLoad("libtorch_cpu", typeof(TorchSharp.torch).Assembly, null, out library))
        {
            Missing = "libtorch_cpu could not be opened";
            return null;
        }
        var symbols = new[] { GlobalContextSymbol, SetPrecisionSymbol, GetPrecisionSymbol }
            .Select(name => (name, found: NativeLibrary.TryGetExport(library, name, out var address), address)).ToList();
        if (symbols.FirstOrDefault(s => !s.found) is { name: not null } absent)
        {
            Missing = $"libtorch_cpu does not export {absent.name}";
            return null;
        }
        return new Binding(
            Marshal.GetDelegateForFunctionPointer<GlobalContext>(symbols[0].address),
            Marshal.GetDelegateForFunctionPointer<SetPrecision>(symbols[1].address),
            Marshal.GetDelegateForFunctionPointer<GetPrecision>(symbols[2].address));
    }
}
