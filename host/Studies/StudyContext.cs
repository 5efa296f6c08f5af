using PeftQa.Host.Modeling;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Host.Recipes;
using PeftQa.Host.Training;
using static TorchSharp.torch;

namespace PeftQa.Host.Studies;

/// <summary>
/// What every study of a run shares, read-only: the run folder, model source, device, tokenizer, data, metrics and the
/// TensorBoard log.
/// </summary>
/// <param name="Model">The base model (a folder or <c>builtin:minilm-l6</c>), resolved against <paramref name="RecipeDirectory"/>.</param>
/// <param name="Tasks">The tasks studies train, in order.</param>
/// <param name="Baseline">b[j]: each trained task's scores before any training, measured once for the run
/// (<see cref="BaselineMeasurement"/>).</param>
/// <param name="TensorBoard">The run's TensorBoard event files when <c>training.reportTo</c> names them; each study's
/// metrics.jsonl is its own.</param>
public sealed record StudyContext(string RunFolder, string RecipeDirectory, bool Resume, string Model, Device Device, BertTokenizer Tokenizer,
    IReadOnlyList<TaskData> Tasks, IReadOnlyList<IMetric> Metrics, EvaluationSettings Evaluation, IReadOnlyList<Dictionary<string, double>> Baseline,
    TensorBoardLog? TensorBoard, ITrainingObserver Observer)
{
    /// <summary>The retention tasks: evaluated at every stage, never trained; their training side is their memory.</summary>
    public IReadOnlyList<TaskData> Retention { get; init; } = [];

    /// <summary>Each retention task's scores before any training, measured with <see cref="Baseline"/>.</summary>
    public IReadOnlyList<Dictionary<string, double>> RetentionBaseline { get; init; } = [];

    /// <summary>What the studies compute in (decided by the plan): every model is set to it when loaded.</summary>
    public ComputePrecision Precision { get; init; } = ComputePrecision.Fp32;

    /// <summary>The run's tasks as <paramref name="study"/> trains them: each trained task with the study's sample of its questions.</summary>
    public StudyContext ForStudy(StudyPlan study) => this with
    {
        Tasks = Tasks.Select((task, i) => i < study.Tasks.Count && study.Tasks[i].Sample is { } sample ? task.WithSample(sample) : task).ToList(),
    };

    /// <summary>Every task evaluated at a stage: the trained tasks in order, then the retention tasks.</summary>
    public IReadOnlyList<TaskData> EvaluatedTasks => [.. Tasks, .. Retention];
}
