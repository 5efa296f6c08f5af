using PeftQa.Abstractions;

namespace PeftQa.Host.Planning;

/// <summary>One data augmentation of a task: the plugin, its bound options, where its files are, and where the recipe names it.</summary>
/// <param name="Path">The entry's JSON path, such as <c>$.tasks[0].augment[1]</c>.</param>
public sealed record PlannedAugmentation(IDataAugmentation Augmentation, object Options, AugmentationSetup Setup, string Path)
{
    public string Name => Augmentation.Name;
}
