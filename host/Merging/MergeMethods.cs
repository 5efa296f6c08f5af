using PeftQa.Abstractions;

namespace PeftQa.Host.Merging;

/// <summary>
/// The merge methods of one plugin catalog: the bundled ones, then those its plugins add (<see cref="IMergeMethod"/>).
/// Plugins that merge receive it as their <see cref="IMergeMethods"/> service; the loader adds the third-party methods once
/// every plugin is loaded, before any recipe is validated.
/// </summary>
public sealed class MergeMethods : IMergeMethods
{
    private readonly List<IMergeMethod> all = [.. Bundled()];

    public IReadOnlyList<IMergeMethod> All => all;

    /// <summary>The methods the host brings, in the order PEFT's <c>add_weighted_adapter</c> documents them.</summary>
    public static IReadOnlyList<IMergeMethod> Bundled() =>
        [new LinearMerge(), new SvdMerge(), new TiesMerge(), new DareLinearMerge(), new DareTiesMerge(), new MagnitudePruneMerge()];

    /// <summary>Adds methods from plugins; a name a bundled method already has is refused by the loader before this.</summary>
    public void Add(IEnumerable<IMergeMethod> methods) => all.AddRange(methods);
}
