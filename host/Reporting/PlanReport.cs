using PeftQa.Host.Cli;
using PeftQa.Host.Training;
using Spectre.Console;

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
        if (!console.IsTerminal) terminal.Profile.Width = 160;
        var training = plan.Recipe.Training;
        terminal.WriteLine($"Recipe {plan.Recipe.Name} ({plan.RecipePath}): model {plan.Model.BaseModel} " +
                           $"({plan.Model.NumLayers} layers, hidden {plan.Model.HiddenSize}), seed {plan.Recipe.Seed}");
        terminal.WriteLine($"Training: lr {training.LearningRate}, batch {training.BatchSize} x {training.GradientAccumulation}, " +
                           (training.MaxSteps is { } steps ? $"{steps} steps" : $"{training.Epochs} epochs") +
                           $", sequence {training.MaxSequenceLength}, stride {training.DocStride}; metrics: {string.Join(", ", plan.Metrics.Select(m => m.Name))}");
        var table = new Table().AddColumns("Study", "Strategy", "Step", "Task", "Train", "Eval");
        foreach (var study in plan.Studies)
        {
            for (int i = 0; i < study.Tasks.Count; i++)
            {
                var task = study.Tasks[i];
                table.AddRow(Markup.Escape(study.Label), Markup.Escape(study.Strategy.Name), (i + 1).ToString(), Markup.Escape(task.Name),
                    Markup.Escape(task.Train + (task.MaxTrainExamples is { } t ? $" (first {t})" : "")),
                    Markup.Escape(task.Eval + (task.MaxEvalExamples is { } e ? $" (first {e})" : "")));
            }
        }
        terminal.Write(table);
    }
}
