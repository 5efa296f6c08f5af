using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>
/// A base for continual learners, bundled or third-party. What it gives: one adapter for the whole sequence (attached
/// at the first task), no replay, no penalty, one model for every task, and a saved state that holds every attached
/// adapter's trainable tensors. Override what your strategy does differently.
/// </summary>
public abstract class LearnerBase(ContinualSetup setup) : IContinualLearner
{
    protected const string StateFile = "continual-state.safetensors";

    private readonly List<IAdapter> adapters = [];

    protected ContinualSetup Setup { get; } = setup;

    public IReadOnlyList<IAdapter> Adapters => adapters;

    public virtual EvaluationRouting Routing => EvaluationRouting.Shared;

    public virtual IReadOnlyList<NamedParameter> BeginTask(int task)
    {
        if (adapters.Count == 0) Attach();
        return adapters[0].TrainableParameters;
    }

    public virtual IReadOnlyList<WindowRef> ReplayWindows(int task, int batch) => [];

    public virtual Tensor? Penalty() => null;

    public virtual void BeforeTraining(int task)
    {
    }

    public virtual BatchPenaltyTerm? BatchPenalty(ITrainingBatch batch) => null;

    public virtual void AdjustGradients(IGradientStep step)
    {
    }

    public virtual void EndTask(int task, ITaskSamples samples)
    {
    }

    public void Save(string directory)
    {
        SafeTensors.Save(Path.Combine(directory, StateFile), StateTensors().Select(t => new KeyValuePair<string, Tensor>(t.Key, t.Tensor)));
        SaveExtra(directory);
    }

    public void Load(string directory)
    {
        BeforeLoad(directory);
        AdapterFiles.LoadTensors(Path.Combine(directory, StateFile), StateTensors(), $"{adapters.Count} adapter(s)",
            "the saved state belongs to another recipe, strategy or base model");
        AfterLoad();
    }

    public virtual void Activate(int? task)
    {
    }

    public virtual int[] Route(Tensor baseCls) =>
        throw new NotSupportedException($"{GetType().Name} evaluates every task with one model; it does not route");

    public void Dispose()
    {
        for (int i = adapters.Count - 1; i >= 0; i--) adapters[i].Dispose();
        adapters.Clear();
        DisposeState();
        GC.SuppressFinalize(this);
    }

    protected IAdapter Attach()
    {
        var adapter = Setup.AttachAdapter();
        adapters.Add(adapter);
        return adapter;
    }

    /// <summary>
    /// Every tensor the saved state holds, under a stable key: each adapter's trainable parameters (a parameter two
    /// adapters share, like the QA head, once), then the strategy's own statistics.
    /// </summary>
    protected virtual IEnumerable<(string Key, Tensor Tensor)> StateTensors()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < adapters.Count; i++)
            foreach (var parameter in adapters[i].TrainableParameters)
                if (seen.Add(parameter.Parameter))
                    yield return ($"adapter{i}/{parameter.Name}", parameter.Parameter);
    }

    /// <summary>Writes what is not a tensor (a memory's indices) beside the tensors.</summary>
    protected virtual void SaveExtra(string directory)
    {
    }

    /// <summary>Creates the statistics tensors that <see cref="Load"/> fills, sized from the file where needed.</summary>
    protected virtual void BeforeLoad(string directory)
    {
    }

    protected virtual void AfterLoad()
    {
    }

    protected virtual void DisposeState()
    {
    }

    /// <summary>
    /// A seeded generator for one purpose, the same on every machine and run: the keys name it, such as a task and a
    /// batch, or a task and a <see cref="SeedSalts"/> value for what is drawn, so two purposes never share a sequence.
    /// </summary>
    protected Random RandomFor(params int[] keys)
    {
        int seed = Setup.Seed;
        foreach (int key in keys) seed = unchecked(seed * 1_000_003 + key + 17);
        return new Random(seed);
    }
}
