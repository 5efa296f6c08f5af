namespace PeftQa.Host.Foundation;

/// <summary>How this process computes: --device and --threads (null: one thread per core).</summary>
public sealed record ComputeSettings(DeviceChoice Device = DeviceChoice.Auto, int? Threads = null);
