using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Continual;

/// <summary>
/// Keeps the starting model's parameters, one task vector per finished task (the parameters its adapter changes, merged
/// minus starting values) and the windows each task trained on; after each task the model holds the starting parameters
/// plus the merge of every task vector so far, with every adapter disabled.
/// </summary>
internal sealed class MergeLearner(ContinualSetup setup, MergeOptions options, IMergeMethod method) : LearnerBase(setup)
{
    private const string DeltasFile = "merge-task-vectors.safetensors";
    private const string WindowsKey = "windows";

    private readonly Dictionary<string, Tensor> start = new(StringComparer.Ordinal);
    private readonly List<Dictionary<string, Tensor>> taskVectors = [];
    private readonly List<long> trainedWindows = [];

    public override IReadOnlyList<NamedParameter> BeginTask(int task)
    {
        if (start.Count == 0)
            foreach (var p in Setup.Model.NamedParameters) start[p.Name] = p.Parameter.detach().clone();
        RestoreStart();
        foreach (var old in Adapters)
        {
            old.Enabled = false;
            foreach (var parameter in old.TrainableParameters) parameter.Parameter.requires_grad = false;
        }
        return Attach().TrainableParameters;
    }

    public override void EndTask(int task, ITaskSamples samples)
    {
        trainedWindows.Add(samples.SeenWindows.Distinct().Count());
        taskVectors.Add(TaskVectorOf(Adapters[^1]));
        ApplyMerge();
    }

    /// <summary>The adapter's merged weights minus the starting model's, for the parameters it changes.</summary>
    private Dictionary<string, Tensor> TaskVectorOf(IAdapter adapter)
    {
        adapter.Enabled = true;
        adapter.Merge();
        var vector = TaskVector.Since(Setup.Model, start);
        adapter.Unmerge();
        adapter.Enabled = false;
        return vector;
    }

    /// <summary>
    /// Evaluation never calls this (one merged model answers every task). Saving a finished study calls it before each
    /// task's adapter is saved: that task's own model goes in place (the starting parameters plus its task vector), so the
    /// adapter folder holds the task's own QA head and <c>peftqa merge</c> can merge the folders again. null: the starting
    /// model. A task not finished yet (the one training, while validation is scored) is left as it is.
    /// </summary>
    public override void Activate(int? task)
    {
        if (task is { } unfinished && unfinished >= taskVectors.Count) return;
        RestoreStart();
        if (task is not { } finished) return;
        var parameters = Setup.Model.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        using var _ = no_grad();
        foreach (var (name, delta) in taskVectors[finished]) parameters[name].add_(delta);
    }

    /// <summary>Puts the starting parameters back, then adds the merge of every task vector so far.</summary>
    private void ApplyMerge()
    {
        RestoreStart();
        foreach (var adapter in Adapters) adapter.Enabled = false;
        var weights = Weights();
        var settings = MergeStrategy.Settings(options, Setup.Seed);
        var parameters = Setup.Model.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        foreach (var name in taskVectors.SelectMany(v => v.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            using var scope = NewDisposeScope();
            var deltas = taskVectors.Select(v => v.TryGetValue(name, out var d) ? d : zeros_like(start[name])).ToList();
            using var generator = new Generator(settings.SeedFor(name));
            var merged = method.Merge(deltas, weights, settings, generator);
            using (no_grad()) parameters[name].add_(merged);
        }
    }

    /// <summary>
    /// Each task's weight, times the scale: 1 each (equal), 1/n each for the n tasks so far (mean), or proportional to its
    /// distinct trained windows with mean 1 (by-data).
    /// </summary>
    private double[] Weights()
    {
        double total = trainedWindows.Sum();
        int n = trainedWindows.Count;
        return trainedWindows.Select(windows => options.Scale * options.Weights switch
        {
            "mean" => 1.0 / n,
            "by-data" when total > 0 => windows * n / total,
            _ => 1.0,
        }).ToArray();
    }

    private void RestoreStart()
    {
        if (start.Count == 0) return;
        using var _ = no_grad();
        foreach (var p in Setup.Model.NamedParameters.Where(p => start.ContainsKey(p.Name))) p.Parameter.copy_(start[p.Name]);
    }

    protected override void SaveExtra(string directory)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        for (int t = 0; t < taskVectors.Count; t++)
            tensors.AddRange(taskVectors[t].Select(v => new KeyValuePair<string, Tensor>($"task{t}/{v.Key}", v.Value)));
        using var windows = tensor(trainedWindows.ToArray());
        tensors.Add(new(WindowsKey, windows));
        SafeTensors.Save(Path.Combine(directory, DeltasFile), tensors);
    }

    protected override void BeforeLoad(string directory)
    {
        ClearTaskState();
        var path = Path.Combine(directory, DeltasFile);
        if (!File.Exists(path)) throw new AdapterLoadException($"{path}: missing; the merge strategy's saved state has its task vectors there");
        var saved = SafeTensors.Load(path);
        trainedWindows.AddRange(saved[WindowsKey].data<long>().ToArray());
        saved[WindowsKey].Dispose();
        for (int t = 0; t < trainedWindows.Count; t++)
        {
            var prefix = $"task{t}/";
            taskVectors.Add(saved.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(s => s.Key[prefix.Length..], s => s.Value, StringComparer.Ordinal));
        }
    }

    protected override void AfterLoad()
    {
        foreach (var adapter in Adapters) adapter.Enabled = false;
        if (taskVectors.Count > 0) ApplyMerge();
    }

    protected override void DisposeState()
    {
        ClearTaskState();
        foreach (var tensor in start.Values) tensor.Dispose();
        start.Clear();
    }

    private void ClearTaskState()
    {
        foreach (var tensor in taskVectors.SelectMany(v => v.Values)) tensor.Dispose();
        taskVectors.Clear();
        trainedWindows.Clear();
    }
}
