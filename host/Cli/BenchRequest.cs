namespace PeftQa.Host.Cli;

public sealed record BenchRequest(string Model, int Batch, int Length, int Iterations, bool Json, IReadOnlyList<string>? Strategies = null);
