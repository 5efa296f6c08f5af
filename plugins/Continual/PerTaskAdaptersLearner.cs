using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Continual;

internal sealed class PerTaskAdaptersLearner(ContinualSetup setup, PerTaskAdaptersOptions options) : LearnerBase(setup)
{
    /// <summary>Per task, its values of the base-model parameters its adapter trains (the QA head).</summary>
    private readonly List<Tensor[]> heads = [];
    private readonly List<Tensor> centroids = [];
    /// <summary>The starting model's values of the head, which <see cref="Activate"/>(null) puts back: the model a retention task's id names.</summary>
    private Tensor[]? startHead;
    private NamedParameter[] sharedTrainable = [];
    private int active = -1;

    public override EvaluationRouting Routing => options.Routing == "centroid" ? EvaluationRouting.ByContent : EvaluationRouting.ByTaskId;

    public IReadOnlyList<Tensor> Centroids => centroids;

    public override IReadOnlyList<NamedParameter> BeginTask(int task)
    {
        foreach (var old in Adapters)
        {
            old.Enabled = false;
            foreach (var parameter in old.TrainableParameters) parameter.Parameter.requires_grad = false;
        }
        if (task > 0 && heads.Count >= task) RestoreHead(task - 1);
        var adapter = Attach();
        var modelParameters = new HashSet<Tensor>(Setup.Model.NamedParameters.Select(p => (Tensor)p.Parameter), ReferenceEqualityComparer.Instance);
        sharedTrainable = adapter.TrainableParameters.Where(p => modelParameters.Contains(p.Parameter)).ToArray();
        if (task == 0) startHead ??= sharedTrainable.Select(p => p.Parameter.detach().clone()).ToArray();
        active = Adapters.Count - 1;
        return adapter.TrainableParameters;
    }

    public override void EndTask(int task, ITaskSamples samples)
    {
        heads.Add(sharedTrainable.Select(p => p.Parameter.detach().clone()).ToArray());
        var windows = samples.SeenWindows.Distinct().ToArray();
        RandomFor(task, -3).Shuffle(windows);
        Activate(null);
        using (var cls = samples.Cls(windows.Take(options.CentroidWindows).ToList()))
            centroids.Add(cls.mean([0]).detach().clone());
        Activate(task);
    }

    public override void Activate(int? task)
    {
        if (Adapters.Count == 0) return;
        if (task is not { } wanted)
        {
            foreach (var adapter in Adapters) adapter.Enabled = false;
            if (active != -1 && startHead is not null)
            {
                using var _ = no_grad();
                for (int p = 0; p < sharedTrainable.Length; p++) sharedTrainable[p].Parameter.copy_(startHead[p]);
            }
            active = -1;
            return;
        }
        int chosen = Math.Min(wanted, Adapters.Count - 1);
        foreach (var adapter in Adapters) adapter.Enabled = false;
        Adapters[chosen].Enabled = true;
        if (chosen != active && chosen < heads.Count) RestoreHead(chosen);
        active = chosen;
    }

    public override int[] Route(Tensor baseCls)
    {
        if (centroids.Count == 0) return new int[baseCls.shape[0]];
        using var scope = NewDisposeScope();
        var distances = (baseCls.unsqueeze(1) - stack(centroids).to(baseCls.device).unsqueeze(0)).square().sum(-1);
        return distances.argmin(1).cpu().data<long>().Select(i => (int)i).ToArray();
    }

    private void RestoreHead(int task)
    {
        using var _ = no_grad();
        for (int p = 0; p < sharedTrainable.Length; p++) sharedTrainable[p].Parameter.copy_(heads[task][p]);
        active = task;
    }

    protected override IEnumerable<(string Key, Tensor Tensor)> StateTensors()
    {
        foreach (var entry in base.StateTensors()) yield return entry;
        for (int t = 0; t < heads.Count; t++)
        {
            for (int p = 0; p < sharedTrainable.Length; p++) yield return ($"head{t}/{sharedTrainable[p].Name}", heads[t][p]);
            yield return ($"centroid{t}", centroids[t]);
        }
    }

    protected override void BeforeLoad(string directory)
    {
        ClearTaskState();
        int hidden = Setup.Model.Description.HiddenSize;
        // BeginTask ran for every finished task, so their adapters exist; their heads and centroids are filled by Load.
        for (int t = 0; t < Adapters.Count; t++)
        {
            heads.Add(sharedTrainable.Select(p => zeros_like(p.Parameter).requires_grad_(false)).ToArray());
            centroids.Add(zeros(hidden, device: sharedTrainable.Length > 0 ? sharedTrainable[0].Parameter.device : null));
        }
    }

    protected override void AfterLoad()
    {
        active = -1;
        Activate(Adapters.Count - 1);
    }

    protected override void DisposeState()
    {
        ClearTaskState();
        foreach (var tensor in startHead ?? []) tensor.Dispose();
        startHead = null;
    }

    private void ClearTaskState()
    {
        foreach (var tensor in heads.SelectMany(h => h).Concat(centroids)) tensor.Dispose();
        heads.Clear();
        centroids.Clear();
    }
}
