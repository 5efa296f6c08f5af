using PeftQa.Abstractions;

namespace PeftQa.Host.Augmentation;

/// <summary>The data augmentations the host brings (<see cref="IDataAugmentation"/>).</summary>
public static class BundledAugmentations
{
    /// <summary>One instance of each: distractor-context, question-synonyms, from-file.</summary>
    public static IReadOnlyList<IDataAugmentation> All() => [new DistractorContext(), new QuestionSynonyms(), new FromFile()];
}
