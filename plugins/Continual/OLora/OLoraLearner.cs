using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Continual;

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
