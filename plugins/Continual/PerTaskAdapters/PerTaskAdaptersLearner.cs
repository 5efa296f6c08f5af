using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Continual;

internal sealed class PerTaskAdaptersLearner(ContinualSetup setup, PerTaskAdaptersOptions options) : LearnerBase(setup)
{
    /// <summary>Per task, its values of the base-model parameters its adapter trains (the QA head).</summary>
    private readonly List<Tensor[]> heads = [];
    private readonly List<Tensor> centroids = [];
    /// <summary>
    /// Per retention task with a memory, the starting model's centroid of that memory: a window nearest one is answered
    /// by the starting model (<see cref="StartingModel"/>), which is what that task was learned with.
    /// </summary>
    private readonly List<Tensor> retentionCentroids = [];
    /// <summary>
    /// The starting model's values of the head, which <see cref="Activate"/>(null) puts back: the model a retention task's
    /// id names.
    /// </summary>
    private Tensor[]? startHead;
    /// <summary>Sum over every centroid's sample of (x - centroid)(x - centroid)^T, and the sample count, for the Mahalanobis distance.</summary>
    private Tensor? scatter;
    private Tensor? scatterCount;
    private NamedParameter[] sharedTrainable = [];
    private int active = -1;

    public override EvaluationRouting Routing => options.Routing == "centroid" ? EvaluationRouting.ByContent : EvaluationRouting.ByTaskId;

    public IReadOnlyList<Tensor> Centroids => centroids;

    private bool UsesScatter => options.Distance == "mahalanobis";

    /// <summary>What <see cref="Route"/> returns for the starting model.</summary>
    public const int StartingModel = -1;

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
        RandomFor(task, SeedSalts.CentroidWindows).Shuffle(windows);
        Activate(null);
        centroids.Add(Centroid(samples, windows));
        if (task == 0)
            foreach (var retention in Setup.Retention)
            {
                var memory = Enumerable.Range(0, retention.Memory.Count).ToArray();
                RandomFor(retention.Memory.Task, SeedSalts.RetentionMemory).Shuffle(memory);
                retentionCentroids.Add(Centroid(retention.Memory, memory));
            }
        Activate(task);
    }

    /// <summary>
    /// The mean base-encoder [CLS] vector over the first CentroidWindows of <paramref name="shuffled"/>, whose spread around
    /// it joins the pooled scatter; every adapter must be off.
    /// </summary>
    private Tensor Centroid(ITaskSamples samples, int[] shuffled)
    {
        int hidden = Setup.Model.Description.HiddenSize;
        scatter ??= zeros(hidden, hidden, ScalarType.Float64, Setup.Model.Device);
        scatterCount ??= zeros(1, ScalarType.Float64, Setup.Model.Device);
        using var scope = NewDisposeScope();
        var cls = samples.Cls(shuffled.Take(options.CentroidWindows).ToList()).to(ScalarType.Float64);
        var centroid = cls.mean([0]);
        var spread = cls - centroid;
        scatter.add_(spread.t().matmul(spread));
        scatterCount.add_(cls.shape[0]);
        return centroid.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Shrinkage of the pooled covariance toward its mean variance, so a few hundred windows per task give a stable inverse.</summary>
    private const double Shrinkage = 0.1;

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
        var all = stack(centroids.Concat(retentionCentroids).ToList()).to(baseCls.device);
        Tensor distances;
        if (UsesScatter && scatter is not null)
        {
            var differences = baseCls.to(ScalarType.Float64).unsqueeze(1) - all.to(ScalarType.Float64).unsqueeze(0);
            distances = (differences.matmul(InverseCovariance(baseCls.device)) * differences).sum(-1);
        }
        else distances = (baseCls.unsqueeze(1) - all.unsqueeze(0)).square().sum(-1);
        return distances.argmin(1).cpu().data<long>().Select(i => i < centroids.Count ? (int)i : StartingModel).ToArray();
    }

    /// <summary>
    /// The inverse of the pooled covariance, shrunk toward its mean variance: the matrix the Mahalanobis distance weighs
    /// differences from a centroid with.
    /// </summary>
    private Tensor InverseCovariance(Device device)
    {
        var covariance = (scatter! / scatterCount!).to(device);
        long d = covariance.shape[0];
        // A floor on the mean variance keeps the inverse finite where every sampled vector sits on its centroid.
        var target = eye(d, dtype: ScalarType.Float64, device: device) * (covariance.trace() / d).clamp_min(1e-12);
        return linalg.inv(covariance * (1 - Shrinkage) + target * Shrinkage);
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
        for (int r = 0; r < retentionCentroids.Count; r++) yield return ($"retention-centroid{r}", retentionCentroids[r]);
        // Only the Mahalanobis distance reads the scatter; euclidean learners keep the state files they always had.
        if (UsesScatter && scatter is not null)
        {
            yield return ("scatter", scatter);
            yield return ("scatter-count", scatterCount!);
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
        if (Adapters.Count == 0) return;
        var device = sharedTrainable.Length > 0 ? sharedTrainable[0].Parameter.device : null;
        foreach (var _ in Setup.Retention) retentionCentroids.Add(zeros(hidden, device: device));
        if (!UsesScatter) return;
        scatter = zeros(hidden, hidden, ScalarType.Float64, Setup.Model.Device);
        scatterCount = zeros(1, ScalarType.Float64, Setup.Model.Device);
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
        foreach (var tensor in heads.SelectMany(h => h).Concat(centroids).Concat(retentionCentroids)) tensor.Dispose();
        heads.Clear();
        centroids.Clear();
        retentionCentroids.Clear();
        scatter?.Dispose();
        scatterCount?.Dispose();
        scatter = scatterCount = null;
    }
}
