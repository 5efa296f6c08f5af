namespace PeftQa.Host.Training;

/// <summary>Where the trainer stands, saved with every checkpoint.</summary>
/// <param name="Step">Optimizer steps completed.</param>
/// <param name="Epoch">Epoch the next batch comes from.</param>
/// <param name="BatchInEpoch">Index, within that epoch's seeded order, of the next micro-batch.</param>
/// <param name="RngState">The CPU generator's state (dropout), base64.</param>
/// <param name="TrainingSeconds">Seconds spent training up to this step, evaluations excluded, across resumes (the learning curve's x axis).</param>
/// <param name="Examples">Windows trained up to this step, across resumes (0 in checkpoints from before it was kept).</param>
/// <param name="LossSinceLog">The summed loss of the steps since the last logged line (a checkpoint between two log lines),
/// so the next line averages the same steps as in an uninterrupted run.</param>
/// <param name="StepsSinceLog">How many steps <paramref name="LossSinceLog"/> sums.</param>
/// <param name="EarlyStopping">Early stopping's scorings and best step so far; null without early stopping.</param>
public sealed record TrainerState(
    int Step,
    int Epoch,
    int BatchInEpoch,
    int Seed,
    string RngState,
    int TotalSteps,
    double LastLoss,
    double TrainingSeconds = 0,
    long Examples = 0,
    double LossSinceLog = 0,
    int StepsSinceLog = 0,
    EarlyStoppingState? EarlyStopping = null);
