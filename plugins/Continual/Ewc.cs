using System.ComponentModel;
using System.Text.Json;
using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Continual;

public sealed class EwcOptions
{
    [Description("Strength lambda of the penalty sum over finished tasks of lambda/2 * F * (theta - theta*)^2. The Fisher is the mean " +
                 "squared gradient of mini-batch mean losses (Avalanche's estimate), so its entries are small and useful values are large.")]
    public double Lambda { get; set; } = 1e5;

    [Description("Training windows of the finished task used to estimate its Fisher information (a seeded sample of those training used).")]
    public int FisherWindows { get; set; } = 256;

    [Description("Windows per mini-batch when estimating the Fisher information.")]
    public int FisherBatchSize { get; set; } = 8;
}

/// <summary>
/// Elastic weight consolidation (Kirkpatrick et al., 2017): after each task, the diagonal Fisher information F of the trainable
/// parameters and their values theta* are kept; later tasks train with the penalty sum of lambda/2 * F * (theta - theta*)^2,
/// one term per finished task (Avalanche's "separate" mode). Works with any adapter strategy: it protects what that strategy trains.
/// </summary>
public sealed class EwcStrategy : ContinualStrategy<EwcOptions>
{
    public override string Name => "ewc";

    public override string Description => "Elastic weight consolidation: a diagonal-Fisher penalty keeps the weights earlier tasks relied on near their values.";

    protected override IReadOnlyList<string> Validate(EwcOptions options, AdapterTraits adapter)
    {
        var ewc = options;
        var problems = new List<string>();
        if (!(ewc.Lambda >= 0) || double.IsInfinity(ewc.Lambda)) problems.Add($"lambda: expected a finite number >= 0, got {ewc.Lambda}");
        if (ewc.FisherWindows <= 0) problems.Add($"fisherWindows: expected a positive integer, got {ewc.FisherWindows}");
        if (ewc.FisherBatchSize <= 0) problems.Add($"fisherBatchSize: expected a positive integer, got {ewc.FisherBatchSize}");
        return problems;
    }

    protected override IContinualLearner Start(ContinualSetup setup, EwcOptions options) => new EwcLearner(setup, options);
}

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

    public override void EndTask(int task, ITaskSamples samples)
    {
        var windows = samples.SeenWindows.Distinct().ToArray();
        RandomFor(task, -2).Shuffle(windows);
        var chosen = windows.Take(options.FisherWindows).ToList();
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

    protected override void SaveExtra(string directory) => File.WriteAllText(Path.Combine(directory, TasksFile), JsonSerializer.Serialize(consolidated.Count));

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
