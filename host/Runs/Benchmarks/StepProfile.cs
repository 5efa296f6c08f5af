using PeftQa.Host.Modeling;

namespace PeftQa.Host.Runs.Benchmarks;

/// <summary>
/// Where one strategy's training step goes in one precision (<c>peftqa bench --profile</c>): seconds per step of the
/// forward pass (collation and loss included) and the backward pass by <see cref="OpCategory"/>, and of clipping plus
/// AdamW. <see cref="StepSeconds"/> is the same step timed without the profile's marks, so the parts can be checked
/// against it.
/// </summary>
public sealed record StepProfile(
    string Strategy,
    string Precision,
    double StepSeconds,
    IReadOnlyDictionary<OpCategory, double> Forward,
    IReadOnlyDictionary<OpCategory, double> Backward,
    double OptimizerSeconds)
{
    public double ForwardSeconds => Forward.Values.Sum();

    public double BackwardSeconds => Backward.Values.Sum();

    /// <summary>Forward, backward and optimizer together: the profiled step without the marks' own cost.</summary>
    public double ProfiledSeconds => ForwardSeconds + BackwardSeconds + OptimizerSeconds;

    /// <summary>Seconds per step in <paramref name="category"/>, forward and backward together.</summary>
    public double Seconds(OpCategory category) => Forward[category] + Backward[category];
}
