using System.Diagnostics;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Planning;

/// <summary>
/// Makes the training sets a task's studies train on: each sample of a training-size sweep (the first questions of the
/// sample seed's order, so a seed's smaller samples are inside its larger ones), then the task's augmentations, checked
/// by <see cref="AugmentationGuard"/>, then windows.
/// </summary>
/// <param name="pool">The questions samples are drawn from: the task's training questions after any validation hold-out.</param>
/// <param name="limited">The task's training questions as the recipe limits them, for a study with no sweep.</param>
internal sealed class TrainingSetBuilder(
    TaskPlan task, int taskIndex, QaDataSet pool, QaDataSet limited, HeldOutQuestions heldOut, FeatureBuilder features, string recipePath)
{
    private readonly IReadOnlyList<ContextParagraph> paragraphs =
        pool.Examples.Select(e => new ContextParagraph(e.Title, e.Context)).Distinct().ToList();

    /// <summary>The training set of <paramref name="sample"/>; what stops it names the recipe, JSON path and question.</summary>
    public TrainingSet Build(TrainingSample sample, CancellationToken cancellation)
    {
        var sampled = Sample(sample);
        var questions = sampled.Examples.Select(ToQuestion).ToList();
        var records = new List<AugmentationRecord>();
        var pipeline = task.AugmentVariants[sample.Augmentation];
        for (int k = 0; k < pipeline.Count; k++)
        {
            var started = Stopwatch.StartNew();
            (questions, var record) = Apply(pipeline[k], k, questions, sample.Seed);
            records.Add(record with { Seconds = started.Elapsed.TotalSeconds });
        }
        var train = sampled with { Examples = questions.Select(ToExample).ToList() };
        var watch = Stopwatch.StartNew();
        var windows = features.Build(train.Examples, cancellation);
        return new TrainingSet(train, windows, records)
        {
            SampledIds = sampled.Examples.Select(e => e.Id).ToList(),
            WindowSeconds = watch.Elapsed.TotalSeconds,
        };
    }

    private QaDataSet Sample(TrainingSample sample)
    {
        if (sample.Size is not { } size) return limited;
        if (size > pool.Examples.Count)
            throw new BadInputException($"{recipePath}: $.tasks[{taskIndex}].maxTrainExamples: task '{task.Name}' has {pool.Examples.Count} usable " +
                                        $"training questions, fewer than the training size {size}; give sizes of at most {pool.Examples.Count}");
        return TaskDataLoader.Limit(pool, size, sample.Seed);
    }

    private (List<TrainingQuestion>, AugmentationRecord) Apply(PlannedAugmentation planned, int k, List<TrainingQuestion> questions, int seed)
    {
        var context = new AugmentationContext(task.Name, new Random(unchecked(seed * 7919 + k + 1)), paragraphs, planned.Setup);
        var returned = planned.Augmentation.Augment(questions, planned.Options, context);
        var problems = AugmentationGuard.Check($"{planned.Path} ({planned.Name})", questions, returned, heldOut);
        if (problems.Count > 0)
            throw new BadInputException(problems.Take(10).Select(p => $"{recipePath}: {p}")
                .Concat(problems.Count > 10 ? [$"{recipePath}: {planned.Path}: and {problems.Count - 10} more"] : []).ToList());
        var givenIds = questions.Select(q => q.Id).ToHashSet(StringComparer.Ordinal);
        var replaced = returned.Where(q => givenIds.Contains(q.Id)).ToDictionary(q => q.Id, StringComparer.Ordinal);
        var added = returned.Where(q => !replaced.ContainsKey(q.Id)).ToList();
        var result = questions.Select(q => replaced.GetValueOrDefault(q.Id) ?? q).Concat(added).ToList();
        return (result, new AugmentationRecord(planned.Name, added.Count, replaced.Count, 0));
    }

    private static TrainingQuestion ToQuestion(QaExample example) =>
        new(example.Id, example.Title, example.Context, example.Question, example.Answers.Select(a => new AnswerSpan(a.Text, a.Start)).ToList());

    private static QaExample ToExample(TrainingQuestion question) =>
        new(question.Id, question.Title, question.Context, question.Question, question.Answers.Select(a => new QaAnswer(a.Text, a.Start)).ToList(),
            IsImpossible: question.Answers.Count == 0);
}
