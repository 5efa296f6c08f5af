namespace PeftQa.Host.Modeling;

public enum DeviceChoice { Auto, Cpu, Cuda }
