namespace PeftQa.Host.Training;

/// <summary>One logged training step.</summary>
public sealed record StepReport(int Step, int TotalSteps, int Epoch, double Loss, double LearningRate, double ExamplesPerSecond, TimeSpan Elapsed, TimeSpan Remaining);

/// <summary>Receives training progress: a progress bar on a terminal, log lines otherwise.</summary>
public interface ITrainingObserver
{
    void Started(string title, int totalSteps, int resumedAtStep);

    /// <summary>After every optimizer step (cheap: for progress bars).</summary>
    void Advanced(int step, double loss);

    /// <summary>At every logged step (every logEvery steps and the last).</summary>
    void Stepped(StepReport report);

    void Finished();
}
