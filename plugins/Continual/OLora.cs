using System.ComponentModel;
using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Continual;

public sealed class OLoraOptions
{
    [Description("Weight lambda1 of the orthogonality penalty: the sum, over earlier tasks' LoRA and each adapted layer, of the squared entries of A_old A_new^T.")]
    public double Lambda { get; set; } = 0.5;

    [Description("Weight lambda2 of an L2 penalty on the new task's LoRA A and B (0: none).")]
    public double L2 { get; set; }
}

/// <summary>
/// O-LoRA (Wang et al., 2023): each task trains a fresh LoRA while the earlier tasks' LoRAs stay attached, frozen; a
/// penalty on |A_old A_new^T|^2 keeps the new update in a subspace orthogonal to the old ones. Needs an adapter strategy
/// with LoRA A matrices (parameters named <c>*.lora_A.weight</c>) that can be attached several times. The QA head is shared
/// and keeps training (the paper's models generate answers and have no head).
/// </summary>
public sealed class OLoraStrategy : ContinualStrategy<OLoraOptions>
{
    public override string Name => "o-lora";

    public override string Description => "O-LoRA: a new LoRA per task, earlier ones frozen, with a penalty keeping the new A orthogonal to the old ones.";

    protected override IReadOnlyList<string> Validate(OLoraOptions options, AdapterTraits adapter)
    {
        var oLora = options;
        var problems = new List<string>();
        if (!(oLora.Lambda >= 0) || double.IsInfinity(oLora.Lambda)) problems.Add($"lambda: expected a finite number >= 0, got {oLora.Lambda}");
        if (!(oLora.L2 >= 0) || double.IsInfinity(oLora.L2)) problems.Add($"l2: expected a finite number >= 0, got {oLora.L2}");
        if (!adapter.HasLoraFactors)
            problems.Add($"adapter strategy '{adapter.Strategy}' has no LoRA A matrices (parameters named *.lora_A.weight), which o-lora constrains; use lora");
        else if (!adapter.CanAttachSeveral)
            problems.Add($"adapter strategy '{adapter.Strategy}' cannot attach a second adapter beside the first{adapter.SecondAttachReason}, which o-lora needs");
        return problems;
    }

    protected override IContinualLearner Start(ContinualSetup setup, OLoraOptions options) => new OLoraLearner(setup, options);

    internal static bool IsLoraA(string name) => name.EndsWith(".lora_A.weight", StringComparison.Ordinal);
}

internal sealed class OLoraLearner(ContinualSetup setup, OLoraOptions options) : LearnerBase(setup)
{
    private IAdapter? current;

    public override IReadOnlyList<NamedParameter> BeginTask(int task)
    {
        var modelParameters = new HashSet<Tensor>(Setup.Model.NamedParameters.Select(p => (Tensor)p.Parameter), ReferenceEqualityComparer.Instance);
        foreach (var old in Adapters)
            foreach (var parameter in old.TrainableParameters.Where(p => !modelParameters.Contains(p.Parameter)))
                parameter.Parameter.requires_grad = false;
        current = Attach();
        return current.TrainableParameters;
    }

    public override Tensor? Penalty()
    {
        if (current is null) return null;
        var newA = current.TrainableParameters.Where(p => OLoraStrategy.IsLoraA(p.Name)).ToList();
        Tensor? total = null;
        if (options.Lambda > 0)
            foreach (var old in Adapters.Where(a => !ReferenceEquals(a, current)))
            {
                var oldA = old.TrainableParameters.Where(p => OLoraStrategy.IsLoraA(p.Name)).ToDictionary(p => p.Name, p => p.Parameter);
                foreach (var a in newA)
                    if (oldA.TryGetValue(a.Name, out var previous))
                    {
                        var term = matmul(previous.detach(), a.Parameter.t()).square().sum() * options.Lambda;
                        total = total is null ? term : total + term;
                    }
            }
        if (options.L2 > 0)
            foreach (var p in current.TrainableParameters.Where(p => p.Name.Contains(".lora_", StringComparison.Ordinal)))
            {
                var term = p.Parameter.square().sum() * options.L2;
                total = total is null ? term : total + term;
            }
        return total;
    }
}
