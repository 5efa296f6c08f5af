using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Host.Recipes;

public sealed record TrainingSettings
{
    /// <summary>The destinations <see cref="ReportTo"/> accepts.</summary>
    public static readonly IReadOnlyList<string> ReportDestinations = ["tensorboard", "none"];

    [Description("Peak learning rate of AdamW for every adapter without its own (adapters[].learningRate). null: each strategy's recommended " +
                 "rate (peftqa plugins list), else 3e-5.")]
    [Range(double.Epsilon, double.MaxValue)]
    public double? LearningRate { get; init; }

    /// <summary>The rate of a strategy that recommends none when the recipe sets none: Hugging Face's run_qa default.</summary>
    public const double FallbackLearningRate = 3e-5;

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

    [Description("Train at least this many optimizer steps when the steps come from epochs (FewshotQA's max(10 epochs, 200 steps) for " +
                 "small training sets); null: no floor. Ignored when maxSteps is set.")]
    [Range(1, int.MaxValue)]
    public int? MinSteps { get; init; }

    [Description("Share of the steps spent warming the learning rate up linearly from 0.")]
    [Range(0.0, 1.0)]
    public double WarmupRatio { get; init; }

    [Description("Decoupled weight decay (not applied to biases and LayerNorm).")]
    [Range(0.0, double.MaxValue)]
    public double WeightDecay { get; init; } = 0.01;

    [Description("Dropout on attention probabilities while training (null: the model's config, 0.1 for BERT). 0, the default, spares the " +
                 "masks over every attention matrix; on the same SQuAD budget it scored F1 53.9 against 51.7 with 0.1.")]
    [Range(0.0, 0.99)]
    public double? AttentionDropout { get; init; } = 0;

    [Description("Dropout on the embeddings' output and on every layer's two projections while training (null: the model's config, 0.1 " +
                 "for BERT). 0, the default, spares 13 masks a step (about 15% of a bf16 step); on the same SQuAD budget it scored F1 64.3 " +
                 "against 63.0 with 0.1.")]
    [Range(0.0, 0.99)]
    public double? HiddenDropout { get; init; } = 0;

    [Description("Batch windows of similar length together (Hugging Face group_by_length: seeded mega-batches of up to 50 batches sorted by " +
                 "length, batch order shuffled), so batches carry little padding; false: plain shuffled batches.")]
    public bool GroupByLength { get; init; } = true;

    [Description("auto (the default): bf16 mixed precision where the device computes bf16 natively (a CPU with AVX512_BF16 or AMX, an NVIDIA " +
                 "GPU of compute capability 8.0 or newer), fp32 elsewhere; fp32; or bf16 (Hugging Face's --bf16: fp32 weights, gradients and " +
                 "optimizer, bf16 matrix products and attention; allowed where bf16 is only emulated, but slow there). --precision overrides " +
                 "it.")]
    public Precision Precision { get; init; } = Precision.Auto;

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

    [Description("Where training curves go besides metrics.jsonl (Hugging Face report_to): \"tensorboard\" writes TensorBoard event files " +
                 "per study under tensorboard/ in the run folder; [] (the default) or [\"none\"]: nowhere else.")]
    public List<string> ReportTo { get; init; } = [];

    [Description("Stop a task when its held-out validation score stops improving (null: train the whole budget): " +
                 "{\"metric\": \"f1\", \"patience\": 3, \"minDelta\": 0.5, \"every\": 500, \"keepBest\": true, " +
                 "\"validationFraction\": 0.1, \"maxQuestions\": 1000}.")]
    public EarlyStoppingSettings? EarlyStopping { get; init; }

    [Description("How many checkpoints to keep.")]
    [Range(1, int.MaxValue)]
    public int KeepCheckpoints { get; init; } = 2;
}
