using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

/// <summary>
/// Model merging as a continual strategy: each task trains a fresh adapter (and QA head) from the starting model, as
/// per-task adapters do; after each task the task vectors of every adapter so far (its merged weights minus the starting
/// model's) are merged by a merge method (TIES, DARE, task arithmetic) into one model that answers every task, with no task
/// id and no routing. Needs an adapter strategy that leaves the encoder frozen, can be attached several times and changes
/// weights rather than adding tokens (LoRA, DoRA, IA3).
/// </summary>
public sealed class MergeStrategy(IMergeMethods methods) : ContinualStrategy<MergeOptions>
{
    public static readonly IReadOnlyList<string> WeightModes = ["equal", "mean", "by-data"];

    public override string Name => "merge";

    public override string Description =>
        "A fresh adapter per task from the starting model; after each task all adapters are merged (ties, dare_ties, linear) into one model.";

    protected override IReadOnlyList<string> Validate(MergeOptions options, AdapterTraits adapter)
    {
        var problems = new List<string>();
        if (methods.Find(options.Method) is not { } method)
            problems.Add($"method: no merge method named '{options.Method}'; available: {string.Join(", ", methods.All.Select(m => m.Name))}");
        else problems.AddRange(method.Validate(Settings(options, seed: 0)));
        if (!WeightModes.Contains(options.Weights))
            problems.Add($"weights: expected one of {string.Join(", ", WeightModes)}, got '{options.Weights}'");
        if (!(options.Scale > 0) || !double.IsFinite(options.Scale)) problems.Add($"scale: expected a positive number, got {options.Scale}");
        if (options.Rank < 0) problems.Add($"rank: expected 0 (full rank) or a positive integer, got {options.Rank}");
        problems.AddRange(AdapterProblems(adapter));
        return problems;
    }

    private static IEnumerable<string> AdapterProblems(AdapterTraits adapter)
    {
        if (adapter.TrainsBaseWeights)
            yield return $"adapter strategy '{adapter.Strategy}' trains the base encoder's own weights, so each task cannot start from " +
                         "the starting model beside the others; pair merge with a strategy that adds modules, such as lora";
        else if (!adapter.CanAttachSeveral)
            yield return $"adapter strategy '{adapter.Strategy}' cannot attach a second adapter beside the first{adapter.SecondAttachReason}, " +
                         "which merge needs; use lora";
        if ((adapter.Needs & (ModelNeeds.VirtualTokens | ModelNeeds.AttentionPrefixes)) != 0)
            yield return $"adapter strategy '{adapter.Strategy}' adds virtual tokens or attention prefixes instead of changing weights, " +
                         "so it has no weight delta to merge; use lora, dora or ia3";
    }

    /// <summary>The merge method's settings for these options and the study's seed.</summary>
    internal static MergeSettings Settings(MergeOptions options, int seed) =>
        new(options.Density, options.MajoritySign, seed, options.Rank == 0 ? null : options.Rank);

    protected override IContinualLearner Start(ContinualSetup setup, MergeOptions options) =>
        new MergeLearner(setup, options, methods.Find(options.Method)!);
}
