using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Host.Recipes;

public sealed class TaskSpec
{
    [Description("Unique task name.")]
    public required string Name { get; init; }

    [Description("Training data: a SQuAD-format JSON file (relative to the data root) or a builtin: source.")]
    public required string Train { get; init; }

    [Description("Evaluation data, same forms as train.")]
    public required string Eval { get; init; }

    [Description("Use at most this many training questions (null: all).")]
    [Range(1, int.MaxValue)]
    public int? MaxTrainExamples { get; init; }

    [Description("Use at most this many evaluation questions (null: all).")]
    [Range(1, int.MaxValue)]
    public int? MaxEvalExamples { get; init; }

    [Description("Optimizer steps for this task (null: training.maxSteps, else training.epochs).")]
    [Range(1, int.MaxValue)]
    public int? MaxSteps { get; init; }

    [Description("Split one file into training and evaluation parts (train and eval then name the same file); null: use the files as they are.")]
    public HoldOutSplit? Split { get; init; }
}
