using Xunit;

namespace PeftQa.Tests.Support;

/// <summary>
/// Tests that train: dropout draws from libtorch's process-wide generator, so a test seeding and training must not run
/// beside tests that draw random numbers, or "same seed, same numbers" cannot be checked.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "training (not in parallel)";
}
