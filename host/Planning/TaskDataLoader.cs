using Microsoft.Extensions.Logging;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Host.Recipes;
using PeftQa.Host.Foundation;
using PeftQa.Host.Data;

namespace PeftQa.Host.Planning;

public static class TaskDataLoader
{
    public static IReadOnlyList<TaskData> Load(RunPlan plan, BertTokenizer tokenizer, ILogger logger, CancellationToken cancellation)
    {
        var builder = new FeatureBuilder(tokenizer, plan.Recipe.Training.MaxSequenceLength, plan.Recipe.Training.DocStride);
        var problems = new List<string>();
        var result = new List<TaskData>();
        foreach (var task in plan.Tasks)
        {
            var trainData = task.Train is null
                ? new QaDataSet([], new QaDataSummary(task.Name, null, 0, 0, 0, 0, 0, 0, []))
                : Read(task.Train, plan, logger);
            var evalData = task.Eval == task.Train ? trainData : Read(task.Eval, plan, logger);
            if (task.Split is { } split)
            {
                (trainData, evalData) = HoldOut(trainData, split, plan.Recipe.Seed);
                logger.LogInformation("Task {Task}: {Source} split by {Unit} with seed {Seed}: {Train} training and {Eval} evaluation questions",
                    task.Name, task.Train, split.By, plan.Recipe.Seed, trainData.Examples.Count, evalData.Examples.Count);
            }
            var train = Limit(trainData, task.MaxTrainExamples, plan.Recipe.Seed);
            bool swept = task.TrainingSizes is not null;
            var eval = Limit(evalData, task.MaxEvalExamples, plan.Recipe.Seed);
            QaDataSet? validation = null;
            if (ValidationSplit(plan.Recipe) is { } held && !task.Retention && train.Examples.Count > 0)
            {
                (train, validation) = HoldOutValidation(train, held.Fraction, held.MaxQuestions, plan.Recipe.Seed);
                logger.LogInformation("Task {Task}: {Validation} validation questions held out of the training data by paragraph (seed {Seed}) " +
                                      "{Users}; {Train} training questions remain",
                    task.Name, validation.Examples.Count, plan.Recipe.Seed, held.Users, train.Examples.Count);
                if (train.Examples.Count == 0)
                    problems.Add($"$.tasks[{Index(plan, task)}].train: task '{task.Name}' has too few training paragraphs to hold out " +
                                 $"validation questions ({held.Users}) and still train (all of {task.Train}'s usable questions " +
                                 "share one paragraph); give it more training data");
            }
            if (eval.Examples.Count == 0) problems.Add($"task '{task.Name}': its evaluation data ({task.Eval}) has no usable questions");
            if (train.Examples.Count == 0 && task.Train is not null && validation is null)
                problems.Add($"task '{task.Name}': its {task.TrainField} data ({task.Train}) has no usable questions");
            if (problems.Count > 0) continue;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            // A sweep's studies each train on a sample of the pool (their training sets, below); the pool itself is never trained on whole.
            var trainFeatures = swept ? [] : builder.Build(train.Examples, cancellation);
            var evalFeatures = builder.Build(eval.Examples, cancellation);
            logger.LogInformation("Task {Task}: {Train} training questions -> {TrainFeatures} windows, " +
                                  "{Eval} evaluation questions -> {EvalFeatures} windows ({Seconds:F1} s)",
                task.Name, train.Examples.Count, trainFeatures.Count, eval.Examples.Count, evalFeatures.Count, watch.Elapsed.TotalSeconds);
            var validationSet = validation is null
                ? null
                : new EvalSet($"{task.Name} (validation)", validation.Examples, builder.Build(validation.Examples, cancellation));
            // A task that trains on its evaluation file (no split) has no held-out questions to protect among those it trains on.
            var trainIds = train.Examples.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
            var heldOut = new HeldOutQuestions(eval.Examples.Concat(validation?.Examples ?? [])
                .Where(e => !trainIds.Contains(e.Id))
                .Select(e => (e.Id, e.Question, e.Context)));
            var sets = new TrainingSetBuilder(task, Index(plan, task), train, train, heldOut, builder, plan.RecipePath);
            result.Add(new TaskData(task.Name, train, trainFeatures, new EvalSet(task.Name, eval.Examples, evalFeatures), validationSet)
            {
                Retention = task.Retention,
                TrainingSets = SamplesOf(plan, task).ToDictionary(sample => sample, sample => sets.Build(sample, cancellation)),
            });
            LogTrainingSets(result[^1], logger);
        }
        if (problems.Count > 0) throw new BadInputException(problems.Select(p => $"{plan.RecipePath}: {p}").ToList());
        return result;
    }

    /// <summary>Every sample of <paramref name="task"/> some study or candidate of the plan trains on, in plan order.</summary>
    private static IEnumerable<TrainingSample> SamplesOf(RunPlan plan, TaskPlan task) =>
        plan.Studies.SelectMany(s => (s.ChooseFrom ?? []).Append(s))
            .SelectMany(s => s.Tasks.Where(t => t.Name == task.Name && t.Sample is not null).Select(t => t.Sample!))
            .Distinct();

    private static void LogTrainingSets(TaskData task, ILogger logger)
    {
        foreach (var (sample, set) in task.TrainingSets)
            logger.LogInformation("Task {Task}, {Sample}: {Sampled} sampled questions{Augmented} -> {Windows} windows ({Seconds:F2} s)",
                task.Name, sample, set.SampledQuestions,
                set.Augmentation.Count == 0 ? "" : $", {set.Train.Examples.Count} after augmentation (" +
                    string.Join(", ", set.Augmentation.Select(a => $"{a.Strategy}: +{a.Added}, {a.Changed} changed, {a.Seconds:F2} s")) + ")",
                set.Features.Count, set.WindowSeconds);
    }

    private static QaDataSet Read(string source, RunPlan plan, ILogger logger)
    {
        var data = DataSources.Load(source, plan.Recipe.StrictData);
        var summary = data.Summary;
        if (summary.SkippedQuestions > 0 || summary.Problems.Count > 0)
            logger.LogWarning("{Source}: skipped {Skipped} of {Questions} questions with bad data ({Problems} problems), " +
                              "for example: {Examples}. Set \"strictData\": true to fail instead.",
                source, summary.SkippedQuestions, summary.Questions, summary.Problems.Count, string.Join(" | ", summary.Problems.Take(3)));
        return data;
    }

    /// <summary>
    /// Splits one data set into training and evaluation parts whole paragraphs (or articles) at a time: a seeded shuffle of
    /// the units, the first <see cref="HoldOutSplit.EvalFraction"/> of them (rounded, at least one) to evaluation. Questions keep file order.
    /// </summary>
    public static (QaDataSet Train, QaDataSet Eval) HoldOut(QaDataSet data, HoldOutSplit split, int seed)
    {
        string Unit(QaExample e) => split.By == "article" ? e.Title : e.Title + "\u0001" + e.Context;
        var units = data.Examples.Select(Unit).Distinct().ToArray();
        new Random(seed).Shuffle(units);
        int evalUnits = Math.Clamp((int)Math.Round(split.EvalFraction * units.Length), 1, Math.Max(1, units.Length - 1));
        var held = units.Take(evalUnits).ToHashSet();
        return (data with { Examples = data.Examples.Where(e => !held.Contains(Unit(e))).ToList() },
                data with { Examples = data.Examples.Where(e => held.Contains(Unit(e))).ToList() });
    }

    /// <summary>The validation split a recipe holds out of each trained task: selection's, else early stopping's; null: none.</summary>
    public static (double Fraction, int? MaxQuestions, string Users)? ValidationSplit(Recipe recipe) =>
        recipe.Selection is { } selection
            ? (selection.ValidationFraction, selection.MaxQuestions,
                recipe.Training.EarlyStopping is null ? "to choose searched settings" : "to choose searched settings and for early stopping")
            : recipe.Training.EarlyStopping is { } stopping ? (stopping.ValidationFraction, stopping.MaxQuestions, "for early stopping")
            : null;

    private static int Index(RunPlan plan, TaskPlan task) => plan.Recipe.Tasks.FindIndex(t => t.Name == task.Name);

    /// <summary>
    /// The validation part of a task's training questions: whole paragraphs, seeded (see <see cref="HoldOut"/>), at most
    /// <paramref name="maxQuestions"/> of them. The training part keeps every other paragraph.
    /// </summary>
    public static (QaDataSet Train, QaDataSet Validation) HoldOutValidation(QaDataSet train, double fraction, int? maxQuestions, int seed)
    {
        var (rest, validation) = HoldOut(train, new HoldOutSplit { EvalFraction = fraction, By = "paragraph" }, seed);
        return (rest, Limit(validation, maxQuestions, seed));
    }

    /// <summary>At most <paramref name="limit"/> questions: a seeded sample across the whole file, kept in file order.</summary>
    public static QaDataSet Limit(QaDataSet data, int? limit, int seed)
    {
        if (limit is not { } n || n >= data.Examples.Count) return data;
        var random = new Random(seed);
        var chosen = Enumerable.Range(0, data.Examples.Count).OrderBy(_ => random.Next()).Take(n).Order().Select(i => data.Examples[i]).ToList();
        return data with { Examples = chosen };
    }
}
