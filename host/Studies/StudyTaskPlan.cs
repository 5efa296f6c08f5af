using PeftQa.Host.Data;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Studies;

/// <summary>How one study trains one task: the effective training settings (the task's steps already applied), the
/// peak learning rate and the seed of its data order, each decided once by the planner.</summary>
/// <param name="Name">The task's name.</param>
/// <param name="LearningRate">The peak learning rate: the search's choice, else training.learningRate, else the
/// strategy's recommended rate, else <see cref="TrainingSettings.FallbackLearningRate"/>.</param>
public sealed record StudyTaskPlan(string Name, TrainingSettings Settings, double LearningRate, int Seed)
{
    /// <summary>
    /// Which training questions the study trains on (a size of a training-size sweep drawn with the study's seed, or the
    /// task's augmented set); null: the task's training data as loaded.
    /// </summary>
    public TrainingSample? Sample { get; init; }
}
