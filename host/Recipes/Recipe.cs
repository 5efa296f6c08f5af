using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace PeftQa.Host.Recipes;

/// <summary>
/// A recipe file: which model, which tasks in which order, which adapter strategies, how to train and evaluate.
/// Every option has one default, given here and documented in docs/recipes.md. A single-task recipe is a study of
/// one task; listing several adapters makes a comparison over the same data.
/// </summary>
public sealed class Recipe
{
    [Description("Name of the recipe; the run folder is named after it.")]
    public required string Name { get; init; }

    [Description("Base model: a Hugging Face checkpoint folder or builtin:minilm-l6.")]
    public string Model { get; init; } = "builtin:minilm-l6";

    [Description("Folder that relative data paths resolve against (relative to the recipe file). Overridden by --data-root and PEFTQA_DATA.")]
    public string? DataRoot { get; init; }

    [Description("Seed for initialisation, shuffling and dropout.")]
    public int Seed { get; init; } = 42;

    [Description("Fail on any bad question in the data instead of skipping it with a warning.")]
    public bool StrictData { get; init; }

    [Description("Extra plugin folders (relative to the recipe file), searched after the host's own.")]
    public List<string> Plugins { get; init; } = [];

    [Description("The tasks, trained in this order and each evaluated after every training stage.")]
    [MinLength(1)]
    public required List<TaskSpec> Tasks { get; init; }

    [Description("Adapter strategies; each runs the whole task sequence from the same base model.")]
    [MinLength(1)]
    public List<AdapterSpec> Adapters { get; init; } = [new AdapterSpec { Strategy = "full" }];

    [Description("Continual-learning strategies; each runs with every adapter strategy it lists (all by default). One study per pair.")]
    [MinLength(1)]
    public List<ContinualSpec> Continual { get; init; } = [new ContinualSpec { Strategy = "naive" }];

    [Description("Optimisation settings.")]
    public TrainingSettings Training { get; init; } = new();

    [Description("Evaluation settings.")]
    public EvaluationSettings Evaluation { get; init; } = new();

    [Description("Folder under which run folders are created (relative to the working directory).")]
    public string Output { get; init; } = "runs";

    /// <summary>
    /// The label of the study that runs <paramref name="adapter"/> with <paramref name="continual"/>: the adapter's label
    /// alone when the recipe has one continual strategy, else "adapter+continual".
    /// </summary>
    public string StudyLabel(AdapterSpec adapter, ContinualSpec continual) =>
        Continual.Count == 1 ? adapter.DisplayName : $"{adapter.DisplayName}+{continual.DisplayName}";

    /// <summary>Every (adapter, continual strategy) pair the recipe runs, with their indices, in plan order.</summary>
    public IEnumerable<(int AdapterIndex, int ContinualIndex)> StudyPairs() =>
        from a in Enumerable.Range(0, Adapters.Count)
        from k in Enumerable.Range(0, Continual.Count)
        where Continual[k].Adapters is not { } only || only.Contains(Adapters[a].DisplayName, StringComparer.OrdinalIgnoreCase)
        select (a, k);
}

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

public sealed class HoldOutSplit
{
    [Description("Share of the paragraphs (or articles) that go to evaluation.")]
    [Range(0.01, 0.99)]
    public double EvalFraction { get; init; } = 0.2;

    [Description("The unit kept whole on one side: paragraph or article, so no context is both trained and evaluated on.")]
    public string By { get; init; } = "paragraph";

    public static readonly IReadOnlyList<string> Units = ["paragraph", "article"];
}

public sealed class ContinualSpec
{
    [Description("Name of a continual-strategy plugin (naive, replay, ewc, per-task-adapters, o-lora; see peftqa plugins list).")]
    public required string Strategy { get; init; }

    [Description("Label in reports; defaults to the strategy name.")]
    public string? Label { get; init; }

    [Description("The strategy's options; omitted options take the plugin's defaults.")]
    public JsonElement? Options { get; init; }

    [Description("Labels of the adapters (see adapters[].label) this strategy runs with; null: every adapter.")]
    public List<string>? Adapters { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string DisplayName => Label ?? Strategy;
}

public sealed class AdapterSpec
{
    [Description("Name of an adapter-strategy plugin (see peftqa plugins list).")]
    public required string Strategy { get; init; }

    [Description("Label in reports; defaults to the strategy name.")]
    public string? Label { get; init; }

    [Description("The strategy's options; omitted options take the plugin's defaults.")]
    public JsonElement? Options { get; init; }

    [Description("Learning rate for this strategy (null: training.learningRate); methods differ in their usual rates, the budget stays the same.")]
    [Range(double.Epsilon, double.MaxValue)]
    public double? LearningRate { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string DisplayName => Label ?? Strategy;
}

public sealed record TrainingSettings
{
    [Description("Peak learning rate of AdamW.")]
    [Range(double.Epsilon, double.MaxValue)]
    public double LearningRate { get; init; } = 3e-5;

    [Description("Examples per optimizer step before accumulation.")]
    [Range(1, int.MaxValue)]
    public int BatchSize { get; init; } = 12;

    [Description("Batches whose gradients are summed before each optimizer step.")]
    [Range(1, int.MaxValue)]
    public int GradientAccumulation { get; init; } = 1;

    [Description("Passes over the training data (ignored when maxSteps is set).")]
    [Range(double.Epsilon, double.MaxValue)]
    public double Epochs { get; init; } = 2;

    [Description("Stop after this many optimizer steps (null: use epochs).")]
    [Range(1, int.MaxValue)]
    public int? MaxSteps { get; init; }

    [Description("Share of the steps spent warming the learning rate up linearly from 0.")]
    [Range(0.0, 1.0)]
    public double WarmupRatio { get; init; }

    [Description("Decoupled weight decay (not applied to biases and LayerNorm).")]
    [Range(0.0, double.MaxValue)]
    public double WeightDecay { get; init; } = 0.01;

    [Description("Dropout on attention probabilities while training (null: the model's config, 0.1 for BERT). 0, the default, lets CPU attention use its fused kernel; on the same SQuAD budget it scored F1 53.9 against 51.7 with 0.1.")]
    [Range(0.0, 0.99)]
    public double? AttentionDropout { get; init; } = 0;

    [Description("Batch windows of similar length together (Hugging Face group_by_length: seeded mega-batches of up to 50 batches sorted by length, batch order shuffled), so batches carry little padding; false: plain shuffled batches.")]
    public bool GroupByLength { get; init; } = true;

    [Description("Clip the global gradient norm to this value (0: no clipping).")]
    [Range(0.0, double.MaxValue)]
    public double MaxGradNorm { get; init; } = 1.0;

    [Description("Tokens per window: question, context and special tokens.")]
    [Range(16, 4096)]
    public int MaxSequenceLength { get; init; } = 384;

    [Description("Overlap in tokens between consecutive context windows.")]
    [Range(0, 4096)]
    public int DocStride { get; init; } = 128;

    [Description("Log loss and throughput every N steps.")]
    [Range(1, int.MaxValue)]
    public int LogEvery { get; init; } = 10;

    [Description("Evaluate every N steps (null: only at the end of each task).")]
    [Range(1, int.MaxValue)]
    public int? EvalEvery { get; init; }

    [Description("Write a checkpoint every N steps (null: only at the end of each task).")]
    [Range(1, int.MaxValue)]
    public int? CheckpointEvery { get; init; }

    [Description("How many checkpoints to keep.")]
    [Range(1, int.MaxValue)]
    public int KeepCheckpoints { get; init; } = 2;
}

public sealed record EvaluationSettings
{
    [Description("Metric plugins to report, by name.")]
    [MinLength(1)]
    public List<string> Metrics { get; init; } = ["exact_match", "f1"];

    [Description("Continual-learning metric plugins computed from each study's matrix of scores (needs two or more tasks).")]
    public List<string> ContinualMetrics { get; init; } = ["acc", "bwt", "fwt", "forgetting"];

    [Description("Candidate start and end positions kept per window.")]
    [Range(1, 1000)]
    public int NBestSize { get; init; } = 20;

    [Description("Longest answer in tokens.")]
    [Range(1, 4096)]
    public int MaxAnswerLength { get; init; } = 30;

    [Description("Evaluation batch size.")]
    [Range(1, int.MaxValue)]
    public int BatchSize { get; init; } = 32;
}
