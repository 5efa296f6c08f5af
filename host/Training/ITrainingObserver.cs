namespace PeftQa.Host.Training;

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
