using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

/// <summary>
/// O-LoRA (Wang et al., 2023): each task trains a fresh LoRA while the earlier tasks' LoRAs stay attached, frozen; a
/// penalty on |A_old A_new^T|^2 keeps the new update in a subspace orthogonal to the old ones. Needs an adapter strategy
/// with LoRA A matrices (parameters named <c>*.lora_A.weight</c>) that can be attached several times. The QA head is shared
/// and keeps training (the paper's models generate answers and have no head).
/// </summary>
public sealed class OLoraStrategy : ContinualStrategy<OLoraOptions>
{
    public override string Name => "o-lora";

    public override string Description =>
        "O-LoRA: a new LoRA per task, earlier ones frozen, with a penalty keeping the new A orthogonal to the old ones.";

    protected override IReadOnlyList<string> Validate(OLoraOptions options, AdapterTraits adapter)
    {
        var oLora = options;
        var problems = new List<string>();
        if (!(oLora.Lambda >= 0) || double.IsInfinity(oLora.Lambda)) problems.Add($"lambda: expected a finite number >= 0, got {oLora.Lambda}");
        if (!(oLora.L2 >= 0) || double.IsInfinity(oLora.L2)) problems.Add($"l2: expected a finite number >= 0, got {oLora.L2}");
        if (!adapter.HasLoraFactors)
            problems.Add($"adapter strategy '{adapter.Strategy}' has no LoRA A matrices (parameters named *.lora_A.weight), " +
                         "which o-lora constrains; use lora");
        else if (!adapter.CanAttachSeveral)
            problems.Add($"adapter strategy '{adapter.Strategy}' cannot attach a second adapter beside the first{adapter.SecondAttachReason}, " +
                         "which o-lora needs");
        return problems;
    }

    protected override IContinualLearner Start(ContinualSetup setup, OLoraOptions options) => new OLoraLearner(setup, options);

    internal static bool IsLoraA(string name) => name.EndsWith(".lora_A.weight", StringComparison.Ordinal);
}
