using Microsoft.Extensions.Logging;
using static TorchSharp.torch;
using PeftQa.Host.Foundation;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Modeling;

/// <summary>Resolves the compute device and thread count once per process and logs the choice.</summary>
public sealed class TorchRuntime(ComputeSettings settings, ILogger<TorchRuntime> logger)
{
    private readonly Lazy<Device> device = new(() => Resolve(settings, logger));
    private Bf16Support? bf16;
    private Fp32ProductRoute? fp32Route;

    /// <summary>The device every tensor of this run lives on.</summary>
    public Device Device => device.Value;

    /// <summary>Whether <see cref="Device"/> computes bf16 natively, checked once: what <c>precision auto</c> decides on.</summary>
    public Bf16Support Bf16 => bf16 ??= Bf16Support.Of(Device);

    /// <summary>Which kernels compute fp32 products on <see cref="Device"/>, decided once.</summary>
    public Fp32ProductRoute Fp32Route => fp32Route ??= Fp32ProductRoute.Of(Device);

    /// <summary>CPU threads for tensor work and for ONNX Runtime: --threads, else one per core.</summary>
    public int Threads => settings.Threads ?? Environment.ProcessorCount;

    /// <summary>
    /// <paramref name="requested"/> resolved for this device
    /// (<see cref="ComputePrecision.Resolve(Precision, Bf16Support, ComputePrecision?, Fp32ProductRoute?)"/>), applied
    /// and logged.
    /// </summary>
    public ComputePrecision Precision(Precision requested, ComputePrecision? pinned = null)
    {
        var precision = ComputePrecision.Resolve(requested, Bf16, pinned, Fp32Route);
        Apply(precision);
        return precision;
    }

    /// <summary>
    /// Makes this process compute as <paramref name="precision"/> says (turns oneDNN's fp32 route on or off, process-wide)
    /// and logs it.
    /// </summary>
    public void Apply(ComputePrecision precision)
    {
        if (precision.Slow) logger.LogWarning("Precision {Precision}: {Reason}", ComputePrecision.Name(precision.Used), precision.Reason);
        else logger.LogInformation("Precision {Precision}: {Reason}", ComputePrecision.Name(precision.Used), precision.Reason);
        if (Device.type != TorchSharp.DeviceType.CPU) return;
        bool oneDnn = precision.Fp32Products?.OneDnn == true;
        if (oneDnn != OneDnnFp32Matmul.Enabled) OneDnnFp32Matmul.Set(oneDnn);
        if (precision.Fp32Products is { } route) logger.LogInformation("fp32 products: {Route}", route);
    }

    private static Device Resolve(ComputeSettings settings, ILogger logger)
    {
        bool tuned = NativeMemory.TuneForLargeTensors();
        bool cudaAvailable = cuda.is_available();
        var chosen = settings.Device switch
        {
            DeviceChoice.Cpu => CPU,
            DeviceChoice.Cuda when cudaAvailable => CUDA,
            DeviceChoice.Cuda => throw new BadInputException(
                "--device cuda: CUDA is not available here (this build uses the CPU libtorch unless built with -p:TorchBackend=cuda, " +
                "and it needs an NVIDIA GPU and driver); use --device cpu or --device auto"),
            _ => cudaAvailable ? CUDA : CPU,
        };
        int threads = settings.Threads ?? Environment.ProcessorCount;
        if (threads < 1) throw new BadInputException($"--threads: expected at least 1, got {threads}");
        set_num_threads(threads);
        logger.LogInformation("Device {Device} (asked for {Requested}; CUDA available: {Cuda}), {Threads} CPU threads",
            chosen.type.ToString().ToLowerInvariant(), settings.Device.ToString().ToLowerInvariant(), cudaAvailable, threads);
        logger.LogDebug("malloc tuned for large tensors: {Tuned}", tuned);
        return chosen;
    }
}
