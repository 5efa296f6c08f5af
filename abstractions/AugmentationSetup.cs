namespace PeftQa.Abstractions;

/// <summary>
/// Where an augmentation's files are: what <see cref="IDataAugmentation.Validate"/> and
/// <see cref="IDataAugmentation.Augment"/> resolve a path option against.
/// </summary>
/// <param name="ResolvePath">A path as a recipe gives it, as a full path: relative paths are under the run's data root
/// (else the recipe's folder), as the recipe's data files are.</param>
/// <param name="OptionsPath">The JSON path of the options in the recipe (<c>$.tasks[0].augment[1].options</c>), for messages.</param>
public sealed record AugmentationSetup(Func<string, string> ResolvePath, string OptionsPath);
