using PeftQa.Abstractions;

namespace SamplePlugin;

/// <summary>Third-party sample augmentation: a copy of every question in upper case, answers unchanged.</summary>
public sealed class UpperCaseQuestions : IDataAugmentation
{
    public string Name => "sample-upper-case";

    public string Description => "Third-party sample: adds each question again in upper case.";

    public Type OptionsType => typeof(UpperCaseQuestionsOptions);

    public IReadOnlyList<TrainingQuestion> Augment(IReadOnlyList<TrainingQuestion> questions, object options, AugmentationContext context) =>
        questions.Select(q => q with { Id = q.Id + "#upper", Question = q.Question.ToUpperInvariant(), DerivedFrom = q.Id }).ToList();
}

public sealed class UpperCaseQuestionsOptions;

/// <summary>
/// Third-party sample of a broken augmentation: it puts a sentence before each context without moving the answers, which
/// the host must refuse before any training.
/// </summary>
public sealed class UnshiftedContext : IDataAugmentation
{
    public string Name => "sample-unshifted-context";

    public string Description => "Third-party sample (broken on purpose): prepends a sentence and leaves answer offsets where they were.";

    public Type OptionsType => typeof(UpperCaseQuestionsOptions);

    public IReadOnlyList<TrainingQuestion> Augment(IReadOnlyList<TrainingQuestion> questions, object options, AugmentationContext context) =>
        questions.Select(q => q with { Id = q.Id + "#moved", Context = "Some words first. " + q.Context, DerivedFrom = q.Id }).ToList();
}
