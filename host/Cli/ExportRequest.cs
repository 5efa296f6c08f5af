namespace PeftQa.Host.Cli;

public sealed record ExportRequest(string Model, string? Adapter, string Onnx, bool AllowPickle, bool IgnoreMismatched = false);
