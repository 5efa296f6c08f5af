using PeftQa.Abstractions;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Augmentation;

/// <summary>
/// Extra training questions from a SQuAD v1.1-format file made elsewhere: all of them (or a seeded sample of
/// <c>maxQuestions</c>, in file order), with the file's ids and titles. Every answer is checked against its context first.
/// </summary>
public sealed class FromFile : IDataAugmentation
{
    public string Name => "from-file";

    public string Description => "Extra training questions from a SQuAD-format JSON file.";

    public Type OptionsType => typeof(FromFileOptions);

    public IReadOnlyList<string> Validate(object options, AugmentationSetup setup)
    {
        if (options is not FromFileOptions o) return [$"options: expected {nameof(FromFileOptions)}"];
        var problems = new List<string>();
        if (o.MaxQuestions is < 1) problems.Add($"maxQuestions: must be at least 1 (or null for all), not {o.MaxQuestions}");
        if (string.IsNullOrWhiteSpace(o.Path)) problems.Add("path: required: the SQuAD-format JSON file of extra training questions");
        else problems.AddRange(SquadQuestionFile.Read(setup.ResolvePath(o.Path)).Problems.Select(p => $"path: {p}"));
        return problems;
    }

    public IReadOnlyList<TrainingQuestion> Augment(IReadOnlyList<TrainingQuestion> questions, object options, AugmentationContext context)
    {
        var o = (FromFileOptions)options;
        var file = SquadQuestionFile.Read(context.Setup.ResolvePath(o.Path));
        if (file.Problems.Count > 0) throw new BadInputException([.. file.Problems.Select(p => $"{context.Setup.OptionsPath}.path: {p}")]);
        if (o.MaxQuestions is not { } max || max >= file.Questions.Count) return file.Questions;

        var order = Enumerable.Range(0, file.Questions.Count).ToArray();
        context.Random.Shuffle(order);
        return [.. order.Take(max).Order().Select(i => file.Questions[i])];
    }
}
