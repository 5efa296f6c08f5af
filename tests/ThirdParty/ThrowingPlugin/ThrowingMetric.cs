using PeftQa.Abstractions;

namespace ThrowingPlugin;

/// <summary>A plugin whose constructor fails, as one with a missing licence key or config would.</summary>
public sealed class ThrowingMetric : IMetric
{
    public ThrowingMetric() => throw new InvalidOperationException("licence key missing");

    public string Name => "throwing";
    public string Description => "Always fails to construct.";
    public string? Signature => null;
    public double Compute(IReadOnlyList<AnswerPair> answers) => 0;
}
