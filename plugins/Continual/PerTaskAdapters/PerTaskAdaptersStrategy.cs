using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

/// <summary>
/// One fresh adapter per task on the frozen base model, each with its own copy of the QA head: training a later task
/// cannot change an earlier task's weights, so nothing is forgotten when the task is known. Without the task id, the
/// nearest centroid of the base encoder's [CLS] vectors routes each window to an adapter. Needs an adapter strategy
/// that leaves the encoder frozen and can be attached several times (LoRA, for example; not full fine-tuning).
/// </summary>
public sealed class PerTaskAdaptersStrategy : ContinualStrategy<PerTaskAdaptersOptions>
{
    public static readonly IReadOnlyList<string> RoutingModes = ["task-id", "centroid"];

    public static readonly IReadOnlyList<string> Distances = ["euclidean", "mahalanobis"];

    public override string Name => "per-task-adapters";

    public override string Description =>
        "A fresh adapter and QA head per task on the frozen base; evaluation routes by task id or by the nearest [CLS] centroid.";

    protected override IReadOnlyList<string> Validate(PerTaskAdaptersOptions options, AdapterTraits adapter)
    {
        var perTask = options;
        var problems = new List<string>();
        if (!RoutingModes.Contains(perTask.Routing))
            problems.Add($"routing: expected one of {string.Join(", ", RoutingModes)}, got '{perTask.Routing}'");
        if (!Distances.Contains(perTask.Distance))
            problems.Add($"distance: expected one of {string.Join(", ", Distances)}, got '{perTask.Distance}'");
        if (perTask.CentroidWindows <= 0) problems.Add($"centroidWindows: expected a positive integer, got {perTask.CentroidWindows}");
        if (adapter.TrainsBaseWeights)
            problems.Add($"adapter strategy '{adapter.Strategy}' trains the base encoder's own weights, so per-task adapters cannot keep " +
                         "a frozen base; pair it with a strategy that adds modules, such as lora");
        else if (!adapter.CanAttachSeveral)
            problems.Add($"adapter strategy '{adapter.Strategy}' cannot attach a second adapter beside the first{adapter.SecondAttachReason}, " +
                         "which per-task adapters need; use lora");
        return problems;
    }

    protected override IContinualLearner Start(ContinualSetup setup, PerTaskAdaptersOptions options) => new PerTaskAdaptersLearner(setup, options);
}
