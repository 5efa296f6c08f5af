namespace PeftQa.Host.Foundation;

/// <summary>--device: where tensors live. Here, below every layer, because the command line parses it and the model computes on it.</summary>
public enum DeviceChoice { Auto, Cpu, Cuda }
