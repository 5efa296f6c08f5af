namespace PeftQa.Host.Runs;

/// <summary>What <c>peftqa export</c> was asked for: the model (and adapter) and the .onnx file to write.</summary>
public sealed record ExportRequest(ModelChoice Model, string Onnx);
