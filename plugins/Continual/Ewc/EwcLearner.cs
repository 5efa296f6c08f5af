using System.Text.Json;
using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Continual;

internal sealed class EwcLearner(ContinualSetup setup, EwcOptions options) : LearnerBase(setup)
{
    private const string TasksFile = "ewc-tasks.json";

    /// <summary>Per finished task: the Fisher diagonal and the values, per trainable parameter (same order as the trainable list).</summary>
    private readonly List<(Tensor[] Fisher, Tensor[] Anchor)> consolidated = [];
    private IReadOnlyList<NamedParameter> trainable = [];

    public IReadOnlyList<(Tensor[] Fisher, Tensor[] Anchor)> Consolidated => consolidated;

    public override IReadOnlyList<NamedParameter> BeginTask(int task) => trainable = base.BeginTask(task);

    public override Tensor? Penalty()
    {
        if (consolidated.Count == 0 || options.Lambda == 0) return null;
        Tensor? total = null;
        foreach (var (fisher, anchor) in consolidated)
            for (int p = 0; p < trainable.Count; p++)
            {
                var term = (fisher[p] * (trainable[p].Parameter - anchor[p]).square()).sum();
                total = total is null ? term : total + term;
            }
        return total! * (options.Lambda / 2);
    }

    /// <summary>With a retention task named: the starting model is consolidated on its memory, before the first task trains.</summary>
    public override void BeforeTraining(int task)
    {
        if (task != 0 || consolidated.Count > 0 || Setup.RetentionTaskNamed(options.RetentionTask) is not { } retention) return;
        int number = retention.Memory.Task;
        var windows = WindowMemory.SampleOf(retention.Memory.Count, options.FisherWindows, RandomFor(number, SeedSalts.FisherWindows));
        Consolidate(retention.Memory, windows);
    }

    public override void EndTask(int task, ITaskSamples samples)
    {
        var windows = samples.SeenWindows.Distinct().ToArray();
        RandomFor(task, SeedSalts.FisherWindows).Shuffle(windows);
        Consolidate(samples, windows.Take(options.FisherWindows).ToList());
    }

    /// <summary>
    /// The diagonal Fisher of the trainable parameters on <paramref name="chosen"/> windows, and their values now, kept as
    /// one more penalty term.
    /// </summary>
    private void Consolidate(ITaskSamples samples, List<int> chosen)
    {
        var fisher = trainable.Select(p => zeros_like(p.Parameter).requires_grad_(false)).ToArray();
        foreach (var p in trainable) p.Parameter.grad?.zero_();
        for (int from = 0; from < chosen.Count; from += options.FisherBatchSize)
        {
            var batch = chosen.GetRange(from, Math.Min(options.FisherBatchSize, chosen.Count - from));
            using var scope = NewDisposeScope();
            samples.Loss(batch).backward();
            using var _ = no_grad();
            for (int p = 0; p < trainable.Count; p++)
            {
                if (trainable[p].Parameter.grad is not { } grad) continue;
                fisher[p].add_(grad.square() * batch.Count);
                grad.zero_();
            }
        }
        using (no_grad())
            foreach (var f in fisher) f.div_(Math.Max(1, chosen.Count));
        var anchor = trainable.Select(p => p.Parameter.detach().clone()).ToArray();
        consolidated.Add((fisher, anchor));
    }

    protected override IEnumerable<(string Key, Tensor Tensor)> StateTensors()
    {
        foreach (var entry in base.StateTensors()) yield return entry;
        for (int t = 0; t < consolidated.Count; t++)
            for (int p = 0; p < trainable.Count; p++)
            {
                yield return ($"ewc{t}/fisher/{trainable[p].Name}", consolidated[t].Fisher[p]);
                yield return ($"ewc{t}/anchor/{trainable[p].Name}", consolidated[t].Anchor[p]);
            }
    }

    protected override void SaveExtra(string directory) =>
        File.WriteAllText(Path.Combine(directory, TasksFile), JsonSerializer.Serialize(consolidated.Count));

    protected override void BeforeLoad(string directory)
    {
        var path = Path.Combine(directory, TasksFile);
        if (!File.Exists(path)) throw new AdapterLoadException($"{path}: not found; the saved state was not written by the ewc strategy");
        DisposeState();
        int tasks = JsonSerializer.Deserialize<int>(File.ReadAllText(path));
        for (int t = 0; t < tasks; t++)
            consolidated.Add((trainable.Select(p => zeros_like(p.Parameter).requires_grad_(false)).ToArray(),
                trainable.Select(p => zeros_like(p.Parameter).requires_grad_(false)).ToArray()));
    }

    protected override void DisposeState()
    {
        foreach (var (fisher, anchor) in consolidated)
            foreach (var tensor in fisher.Concat(anchor)) tensor.Dispose();
        consolidated.Clear();
    }
}
