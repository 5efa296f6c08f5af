using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Training;

/// <summary>Everything one training stage needs besides the model.</summary>
/// <param name="LearningRate">The peak learning rate, as the plan decided it (warmup rises to it, decay falls from it).</param>
public sealed record TrainingJob(
    string Study,
    string Task,
    IReadOnlyList<QaFeature> Features,
    IReadOnlyList<NamedParameter> Trainable,
    TrainingSettings Settings,
    double LearningRate,
    int Seed,
    string CheckpointFolder,
    bool Resume,
    Func<int, IReadOnlyDictionary<string, double>>? Evaluate = null,
    ITrainingHooks? Hooks = null,
    CurveProbe? Curve = null)
{
    /// <summary>
    /// Scores the task's validation questions for early stopping (<c>training.earlyStopping</c>); null without early
    /// stopping.
    /// </summary>
    public Func<IReadOnlyDictionary<string, double>>? Validate { get; init; }

    /// <summary>A halving rung: stop after this step with a checkpoint, to be continued later; null: train the whole budget.</summary>
    public int? PauseAt { get; init; }
}

/// <summary>A learning curve's probe: every <paramref name="Every"/> steps, the scores of a fixed sample of questions.</summary>
public sealed record CurveProbe(int Every, Func<IReadOnlyDictionary<string, double>> Score);
