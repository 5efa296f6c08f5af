using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Studies;
using PeftQa.Host.Recipes;
using Spectre.Console;
using PeftQa.Host.Planning;

namespace PeftQa.Host.Reporting;

/// <summary>Prints what a run will do: studies, tasks, data, budget.</summary>
public static class PlanReport
{
    private static string Dropout(double? probability) => probability is { } p ? $"{p:0.###}" : "the model's";

    public static void Print(RunPlan plan, CliConsole console)
    {
        var terminal = console.Terminal(width: 200);
        var training = plan.Recipe.Training;
        terminal.WriteLine($"Recipe {plan.Recipe.Name} ({plan.RecipePath}): model {plan.Model.BaseModel} " +
                           $"({plan.Model.NumLayers} layers, hidden {plan.Model.HiddenSize}), seed {plan.Recipe.Seed}");
        terminal.WriteLine($"Training: batch {training.BatchSize} x {training.GradientAccumulation}, sequence {training.MaxSequenceLength}, " +
                           $"stride {training.DocStride}{(training.GroupByLength ? ", grouped by length" : "")}, " +
                           $"attention dropout {Dropout(training.AttentionDropout)}, hidden dropout {Dropout(training.HiddenDropout)}; " +
                           $"metrics: {string.Join(", ", plan.Metrics.Select(m => m.Name))}");
        terminal.WriteLine($"Precision: {plan.Precision}");
        if (training.EarlyStopping is { } stopping)
            terminal.WriteLine($"Early stopping: every {stopping.Every} steps and at a task's last, its validation questions are scored by " +
                               $"{stopping.Metric}; a task stops after {stopping.Patience} scorings in a row without a rise of more than " +
                               $"{stopping.MinDelta} over the best" +
                               (stopping.KeepBest ? ", and the study goes on from the best step's weights" : "") +
                               (plan.Recipe.Selection is null
                                   ? $"; validation: {stopping.ValidationFraction * 100:0.#}% of each task's training paragraphs" +
                                     (stopping.MaxQuestions is { } most ? $", at most {most} questions" : "")
                                   : "; validation: selection's"));
        foreach (var task in plan.RetentionTasks)
        {
            var evalSample = task.MaxEvalExamples is { } e ? $" (sample of {e})" : "";
            var memory = task.Train is { } train
                ? $"; memory for strategies that remember: {train}{(task.MaxTrainExamples is { } t ? $" (sample of {t})" : "")}"
                : "";
            terminal.WriteLine($"Retention task {task.Name}: {task.Eval}{evalSample}, " +
                               "evaluated at the start and after every trained task, never trained" + memory);
        }
        var candidates = plan.Candidates;
        if (candidates.Count > 0 && plan.Recipe.Selection is { } selection)
        {
            terminal.WriteLine($"Selection: {candidates.Count} candidates, each trained with seed {plan.Recipe.Seed} on the training data less " +
                               $"{selection.ValidationFraction * 100:0.#}% of its paragraphs and scored there by {selection.Metric}; " +
                               "each method's best is then run for evaluation" +
                               (selection.Strategy == "halving"
                                   ? $"; by successive halving (eta {selection.Eta}, first rung " +
                                     $"{(selection.MinSteps is { } m ? $"{m} steps" : "the budget / eta^k")}): only the best of each rung train on"
                                   : "") +
                               (plan.RetentionTasks.Count == 0
                                   ? $"; the seed-{plan.Recipe.Seed} study of each method adopts its winner's weights, not training them again"
                                   : ""));
            terminal.Write(StudyTable(candidates, plan));
        }
        terminal.Write(StudyTable(plan.Studies, plan));
        foreach (var study in plan.Studies.Where(s => s.ReusesTrainingOf is not null))
            terminal.WriteLine($"Study {study.Label} trains exactly as {study.ReusesTrainingOf}: " +
                               "it adopts that study's weights once trained and only evaluates");
        if (plan.Recipe.Selection is not null && candidates.Count == 0)
            terminal.WriteLine("Selection: nothing is searched, so nothing is chosen; " +
                               "every study still trains without the held-out validation paragraphs");
    }

    /// <summary>
    /// Once the data is read: every training set some study trains on (each size and seed of a sweep, each augmented set)
    /// with its questions, windows and the steps its first study takes there.
    /// </summary>
    public static void PrintTrainingSets(RunPlan plan, IReadOnlyList<Data.TaskData> tasks, CliConsole console)
    {
        var trained = tasks.Where(t => !t.Retention).ToList();
        if (trained.All(t => t.TrainingSets.Count == 0)) return;
        var table = new Table().AddColumns("Task", "Sample", "Questions", "Augmentation", "Windows", "Steps", "Studies");
        foreach (var (task, index) in trained.Select((t, i) => (t, i)))
            foreach (var (sample, set) in task.TrainingSets)
            {
                var users = plan.Studies.Where(s => s.Tasks[index].Sample == sample).ToList();
                var settings = users.Count > 0 ? users[0].Tasks[index] : null;
                int? steps = settings is null ? null : new Training.BatchCursor(set.Features.Count, settings.Settings, settings.Seed).TotalSteps;
                table.AddRow(Markup.Escape(task.Name), Markup.Escape((sample with { Augmentation = 0 }).ToString()),
                    $"{set.SampledQuestions} -> {set.Train.Examples.Count}",
                    Markup.Escape(set.Augmentation.Count == 0 ? "none" : string.Join(", ", set.Augmentation.Select(a => $"{a.Strategy} +{a.Added}"))),
                    set.Features.Count.ToString(), steps?.ToString() ?? "-", users.Count.ToString());
            }
        var terminal = console.Terminal(width: 200);
        terminal.WriteLine("Training sets (each sample of a training-size sweep is drawn with its study's seed; a seed's smaller samples " +
                           "are inside its larger ones):");
        terminal.Write(table);
    }

    private static Table StudyTable(IReadOnlyList<StudyPlan> studies, RunPlan plan)
    {
        var table = new Table().AddColumns("Study", "Strategy", "Continual", "Settings", "Step", "Task", "LR", "Steps", "Train", "Eval");
        foreach (var study in studies)
            for (int i = 0; i < study.Tasks.Count; i++)
                table.AddRow([Markup.Escape(study.Label), Markup.Escape(study.Strategy.Name), Markup.Escape(study.Continual.Strategy.Name),
                    i == 0 ? Markup.Escape(Settings(study)) : "", (i + 1).ToString(),
                    .. TaskColumns(plan.TrainedTasks[i], study, i, plan)]);
        return table;
    }

    /// <summary>The options that differ from the strategy's defaults; for a study still to choose, where it chooses from.</summary>
    private static string Settings(StudyPlan study)
    {
        if (study.ChooseFrom is { } candidates) return $"the best of its {candidates.Count} candidates on validation";
        var type = study.Strategy.OptionsType;
        var options = JsonSerializer.SerializeToNode(study.Options, type, JsonShapeValidator.SerializerOptions)!.AsObject();
        var defaults = JsonSerializer.SerializeToNode(Activator.CreateInstance(type), type, JsonShapeValidator.SerializerOptions)!.AsObject();
        var changed = options
            .Where(o => !JsonNode.DeepEquals(o.Value, defaults[o.Key]))
            .Select(o => $"{o.Key}={o.Value?.ToJsonString(Compact)}")
            .ToList();
        return changed.Count == 0 ? "defaults" : string.Join(" ", changed);
    }

    private static readonly JsonSerializerOptions Compact = new(JsonShapeValidator.SerializerOptions) { WriteIndented = false };

    /// <summary>The task's name, the study's effective learning rate and steps for it, and its data.</summary>
    private static string[] TaskColumns(TaskPlan task, StudyPlan study, int index, RunPlan plan)
    {
        var settings = study.Tasks[index].Settings;
        bool rateChosen = study.ChooseFrom is { } candidates
                          && candidates.Select(c => c.Tasks[index].LearningRate).Distinct().Count() > 1;
        string rate = rateChosen
            ? "chosen"
            : study.Tasks[index].LearningRate.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
        string split = task.Split is { } s ? $", {100 * (1 - s.EvalFraction):F0}% of the {s.By}s" : "";
        if (TaskDataLoader.ValidationSplit(plan.Recipe) is { } held)
            split += $", less {held.Fraction * 100:0.#}% of the paragraphs for validation";
        string sample = study.Tasks[index].Sample is { Size: { } size } drawn ? $" (sample of {size} with seed {drawn.Seed}{split})"
            : task.MaxTrainExamples is { } t ? $" (sample of {t}{split})" : split.Length > 0 ? $" ({split[2..]})" : "";
        var pipeline = task.AugmentVariants[study.Tasks[index].Sample?.Augmentation ?? 0];
        if (pipeline.Count > 0) sample += $", augmented by {string.Join(", then ", pipeline.Select(a => a.Name))}";
        return [Markup.Escape(task.Name), rate,
            settings.MaxSteps?.ToString() ?? $"{settings.Epochs} epochs" + (settings.MinSteps is { } floor ? $", at least {floor}" : ""),
            Markup.Escape(task.Train + sample),
            Markup.Escape(task.Eval + (task.MaxEvalExamples is { } e ? $" (sample of {e})" : ""))];
    }
}
