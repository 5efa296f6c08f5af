using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Cli;

/// <summary>Resolves the compute device and thread count once per process and logs the choice.</summary>
public sealed class TorchRuntime(IOptions<PeftQaSettings> settings, ILogger<TorchRuntime> logger)
{
    private readonly Lazy<Device> device = new(() => Resolve(settings.Value, logger));
    private Bf16Support? bf16;

    /// <summary>The device every tensor of this run lives on.</summary>
    public Device Device => device.Value;

    /// <summary>Whether <see cref="Device"/> computes bf16 natively, checked once: what <c>precision auto</c> decides on.</summary>
    public Bf16Support Bf16 => bf16 ??= Bf16Support.Of(Device);

    /// <summary>--precision (else <paramref name="fallback"/>) resolved for this device, and logged: what eval and predict compute in.</summary>
    public ComputePrecision PrecisionFor(Precision fallback)
    {
        var precision = ComputePrecision.Resolve(settings.Value.Precision ?? fallback, Bf16);
        LogPrecision(precision);
        return precision;
    }

    /// <summary>
    /// What <c>eval</c> and <c>predict</c> compute in: for the TorchSharp engine --precision resolved here (auto by
    /// default); the ONNX engine runs the exported fp32 model, so bf16 is refused rather than silently ignored.
    /// </summary>
    /// <exception cref="BadInputException">--precision bf16 with --engine onnx.</exception>
    public ComputePrecision PrecisionFor(Evaluation.AnsweringEngine engine)
    {
        if (engine == Evaluation.AnsweringEngine.Torch) return PrecisionFor(Precision.Auto);
        if (settings.Value.Precision == Precision.Bf16)
            throw new BadInputException("--precision bf16: the ONNX engine runs the exported model in fp32; leave --precision out, or use --engine torch for bf16");
        var onnx = new ComputePrecision(settings.Value.Precision ?? Precision.Auto, Precision.Fp32, "the ONNX engine runs the exported fp32 model");
        LogPrecision(onnx);
        return onnx;
    }

    public void LogPrecision(ComputePrecision precision)
    {
        if (precision.Slow) logger.LogWarning("Precision {Precision}: {Reason}", ComputePrecision.Name(precision.Used), precision.Reason);
        else logger.LogInformation("Precision {Precision}: {Reason}", ComputePrecision.Name(precision.Used), precision.Reason);
    }

    /// <summary>CPU threads for tensor work and for ONNX Runtime: --threads, else one per core.</summary>
    public int Threads => settings.Value.Threads ?? Environment.ProcessorCount;

    private static Device Resolve(PeftQaSettings settings, ILogger logger)
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
