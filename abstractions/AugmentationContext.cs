namespace PeftQa.Abstractions;

/// <summary>What one call of <see cref="IDataAugmentation.Augment"/> may draw on besides the questions it is given.</summary>
/// <param name="TaskName">The task whose training questions these are.</param>
/// <param name="Random">The only source of random choices: seeded by the host from the study's data seed and the
/// augmentation's place in the task's list, so the same recipe gives the same questions on every run and on
/// <c>--resume</c>.</param>
/// <param name="Paragraphs">Every paragraph of the task's training data, in file order (not only those of the questions
/// given; never a validation or evaluation paragraph): what an augmentation may add as context.</param>
/// <param name="Setup">Where the augmentation's files are.</param>
public sealed record AugmentationContext(string TaskName, Random Random, IReadOnlyList<ContextParagraph> Paragraphs, AugmentationSetup Setup);
