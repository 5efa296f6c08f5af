using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Host.Recipes;

public sealed class TaskSpec
{
    [Description("Unique task name.")]
    public required string Name { get; init; }

    [Description("Training data: a SQuAD-format JSON file (relative to the data root) or a builtin: source. Required unless the task is a " +
                 "retention task.")]
    public string? Train { get; init; }

    [Description("Evaluation data, same forms as train.")]
    public required string Eval { get; init; }

    [Description("Use at most this many training questions (null: all): a seeded sample shared by every study. A list sweeps training " +
                 "sizes (few-shot, FewshotQA's protocol): one study per size, labelled \"lora n=64\", each seed drawing its own sample, the " +
                 "smaller samples of a seed inside its larger ones.")]
    [Range(1, int.MaxValue)]
    public Searchable<int>? MaxTrainExamples { get; init; }

    [Description("Data augmentations applied to this task's training questions after sampling, in order: [{\"strategy\": " +
                 "\"question-synonyms\", \"options\": {...}}] (see peftqa plugins list). Never applied to evaluation or validation " +
                 "questions; null or []: none. A list of such lists compares them: one study per list, labelled \"lora aug=none\", " +
                 "\"lora aug=question-synonyms\", each compared with the first.")]
    public Searchable<List<AugmentSpec>>? Augment { get; init; }

    /// <summary>The augmentation pipelines the task's studies train with: one (perhaps empty) without a comparison.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<List<AugmentSpec>> AugmentVariants => Augment?.Values ?? [[]];

    [Description("Use at most this many evaluation questions (null: all).")]
    [Range(1, int.MaxValue)]
    public int? MaxEvalExamples { get; init; }

    [Description("Optimizer steps for this task (null: training.maxSteps, else training.epochs).")]
    [Range(1, int.MaxValue)]
    public int? MaxSteps { get; init; }

    [Description("A retention task: evaluated before training and after every trained task, never trained on; the report gives its drop from " +
                 "the start beside ACC/BWT over the trained tasks. It has no train; memory may name data strategies can remember.")]
    public bool Retention { get; init; }

    [Description("A retention task's own training data, never trained on directly: what replay (retentionTask) and A-GEM may remember and " +
                 "EWC may estimate its Fisher on, before the first trained task. Same forms as train; null: none.")]
    public string? Memory { get; init; }

    [Description("Split one file into training and evaluation parts (train and eval then name the same file); null: use the files as they are.")]
    public HoldOutSplit? Split { get; init; }

    /// <summary>The data on the training side of the task: train, or a retention task's memory (null when it has none).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? TrainingData => Retention ? Memory : Train;
}
