using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;

namespace PeftQa.Host.Cli;

/// <summary>Resolves the compute device and thread count once per process and logs the choice.</summary>
public sealed class TorchRuntime(IOptions<PeftQaSettings> settings, ILogger<TorchRuntime> logger)
{
    private readonly Lazy<Device> device = new(() => Resolve(settings.Value, logger));

    /// <summary>The device every tensor of this run lives on.</summary>
    public Device Device => device.Value;

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
