using Microsoft.Extensions.Logging;
using PeftQa.Host.Training;
using Spectre.Console;

namespace PeftQa.Host.Reporting;

/// <summary>
/// Training progress for people: a live progress bar (step, loss, examples/s, ETA) on a terminal, plain log lines
/// otherwise (CI, pipes, files).
/// </summary>
public sealed class TrainingProgressDisplay(CliConsole console, ILogger<TrainingProgressDisplay> logger) : ITrainingObserver
{
    private TaskCompletionSource? finished;
    private Task? rendering;
    private ProgressTask? bar;
    private ProgressContext? progressContext;

    public void Started(string title, int totalSteps, int resumedAtStep)
    {
        logger.LogInformation("Training {Title}: {Total} steps{Resumed}",
            title, totalSteps, resumedAtStep > 0 ? $", resuming at step {resumedAtStep}" : "");
        if (!console.IsTerminal) return;
        finished = new TaskCompletionSource();
        var ready = new TaskCompletionSource();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Error) });
        rendering = terminal.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                progressContext = context;
                bar = context.AddTask(Markup.Escape(title), maxValue: totalSteps);
                bar.Value = resumedAtStep;
                ready.SetResult();
                await finished.Task;
            });
        ready.Task.Wait();
    }

    public void Advanced(int step, double loss)
    {
        if (bar is null) return;
        bar.Value = step;
        bar.Description = Markup.Escape($"step {step}/{bar.MaxValue:F0} loss {loss:F3}");
    }

    public void Stepped(StepReport report)
    {
        if (bar is not null)
        {
            bar.Value = report.Step;
            bar.Description = Markup.Escape($"step {report.Step}/{report.TotalSteps} loss {report.Loss:F3} {report.ExamplesPerSecond:F1} ex/s");
            logger.LogDebug("step {Step}/{Total} loss {Loss:F4} lr {LearningRate:E2} {Rate:F1} examples/s", report.Step, report.TotalSteps,
                report.Loss, report.LearningRate, report.ExamplesPerSecond);
            return;
        }
        logger.LogInformation("step {Step}/{Total} epoch {Epoch} loss {Loss:F4} lr {LearningRate:E2} {Rate:F1} examples/s, ETA {Remaining}",
            report.Step, report.TotalSteps, report.Epoch, report.Loss, report.LearningRate, report.ExamplesPerSecond,
            report.Remaining.ToString(@"hh\:mm\:ss"));
    }

    public void Finished()
    {
        if (finished is null) return;
        progressContext?.Refresh();
        finished.TrySetResult();
        rendering?.Wait();
        finished = null;
        bar = null;
        progressContext = null;
    }
}
