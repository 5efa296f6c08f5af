using Xunit;

namespace PeftQa.Tests.Support;

/// <summary>
/// Tests that train, or that build two models from one seed and compare them: dropout and initialisation draw from
/// libtorch's process-wide generator, so such a test must not run beside tests that draw random numbers, or "same seed,
/// same numbers" cannot be checked.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "training (not in parallel)";
}
