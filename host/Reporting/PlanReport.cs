using PeftQa.Host.Recipes;
using Spectre.Console;
using PeftQa.Host.Planning;

namespace PeftQa.Host.Reporting;

/// <summary>Prints what a run will do: studies, tasks, data, budget.</summary>
public static class PlanReport
{
    public static void Print(RunPlan plan, CliConsole console)
    {
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(console.Out),
            Ansi = console.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = console.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!console.IsTerminal) terminal.Profile.Width = 200;
        var training = plan.Recipe.Training;
        terminal.WriteLine($"Recipe {plan.Recipe.Name} ({plan.RecipePath}): model {plan.Model.BaseModel} " +
                           $"({plan.Model.NumLayers} layers, hidden {plan.Model.HiddenSize}), seed {plan.Recipe.Seed}");
        terminal.WriteLine($"Training: batch {training.BatchSize} x {training.GradientAccumulation}, sequence {training.MaxSequenceLength}, " +
                           $"stride {training.DocStride}{(training.GroupByLength ? ", grouped by length" : "")}; metrics: {string.Join(", ", plan.Metrics.Select(m => m.Name))}");
        var table = new Table().AddColumns("Study", "Strategy", "Continual", "Step", "Task", "LR", "Steps", "Train", "Eval");
        foreach (var study in plan.Studies)
            for (int i = 0; i < study.Tasks.Count; i++)
                table.AddRow([Markup.Escape(study.Label), Markup.Escape(study.Strategy.Name), Markup.Escape(study.Continual.Strategy.Name), (i + 1).ToString(),
                    .. TaskColumns(plan.Tasks[i], study.Tasks[i].Settings)]);
        terminal.Write(table);
    }

    /// <summary>The task's name, the study's effective learning rate and steps for it, and its data.</summary>
    private static string[] TaskColumns(TaskPlan task, TrainingSettings settings)
    {
        string split = task.Split is { } s ? $", {100 * (1 - s.EvalFraction):F0}% of the {s.By}s" : "";
        return [Markup.Escape(task.Name), settings.LearningRate.ToString("G4", System.Globalization.CultureInfo.InvariantCulture),
            settings.MaxSteps?.ToString() ?? $"{settings.Epochs} epochs",
            Markup.Escape(task.Train + (task.MaxTrainExamples is { } t ? $" (sample of {t}{split})" : split.Length > 0 ? $" ({split[2..]})" : "")),
            Markup.Escape(task.Eval + (task.MaxEvalExamples is { } e ? $" (sample of {e})" : ""))];
    }
}
