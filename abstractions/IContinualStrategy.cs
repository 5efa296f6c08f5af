using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>
/// A continual-learning strategy: how a study trains on task after task so the earlier tasks are not forgotten.
/// Examples: naive sequential training, replay, EWC, one adapter per task, O-LoRA. It works with whichever adapter
/// strategy the recipe pairs it with, through <see cref="ContinualSetup.AttachAdapter"/>, and refuses pairings that
/// make no sense in <see cref="Validate"/>, before any work starts.
/// </summary>
/// <remarks>
/// The host drives a study: <see cref="Start"/>, then for each task <see cref="IContinualLearner.BeginTask"/>, training
/// (each step's loss plus <see cref="IContinualLearner.Penalty"/>, each batch plus <see cref="IContinualLearner.ReplayWindows"/>),
/// <see cref="IContinualLearner.EndTask"/>, <see cref="IContinualLearner.Save"/>, and evaluation on every task.
/// Options work as for adapter strategies (see <see cref="IAdapterStrategy"/>); derive from <see cref="ContinualStrategy{TOptions}"/> to get them typed.
/// </remarks>
[PluginKind("continual-strategy")]
public interface IContinualStrategy : IConfigurablePlugin
{
    /// <summary>
    /// Problems with these options or with pairing them with <paramref name="adapter"/>, one message per problem, each
    /// naming the option or the adapter strategy and what would work instead; empty when valid.
    /// </summary>
    IReadOnlyList<string> Validate(object options, AdapterTraits adapter);

    /// <summary>Starts a study on <see cref="ContinualSetup.Model"/>; no adapter is attached yet.</summary>
    IContinualLearner Start(ContinualSetup setup, object options);
}

/// <summary>Base class with typed options. Override <see cref="Validate(TOptions, AdapterTraits)"/> and <see cref="Start(ContinualSetup, TOptions)"/>.</summary>
public abstract class ContinualStrategy<TOptions> : IContinualStrategy where TOptions : class, new()
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    public Type OptionsType => typeof(TOptions);

    public IReadOnlyList<string> Validate(object options, AdapterTraits adapter) => Validate(PluginOptions.Cast<TOptions>(Name, options), adapter);

    public IContinualLearner Start(ContinualSetup setup, object options) => Start(setup, PluginOptions.Cast<TOptions>(Name, options));

    protected virtual IReadOnlyList<string> Validate(TOptions options, AdapterTraits adapter) => [];

    protected abstract IContinualLearner Start(ContinualSetup setup, TOptions options);
}

/// <summary>What the host found out about an adapter strategy by attaching it to a small model of the same kind.</summary>
/// <param name="Strategy">The adapter strategy's name.</param>
/// <param name="TrainsBaseWeights">It trains weights of the base encoder itself (full fine-tuning), not only its own modules and the QA head.</param>
/// <param name="CanAttachSeveral">A second adapter of this strategy can be attached beside a first one.</param>
/// <param name="ParameterNames">Names of the trainable parameters it adds or frees, for example <c>bert.encoder.layer.0.attention.self.query.lora_A.weight</c>.</param>
/// <param name="SecondAttachRefusal">When a second adapter could not be attached: the strategy's own reason, for messages.</param>
public sealed record AdapterTraits(string Strategy, bool TrainsBaseWeights, bool CanAttachSeveral, IReadOnlyList<string> ParameterNames,
    string? SecondAttachRefusal = null)
{
    /// <summary>" (reason)" when the strategy gave one for refusing a second adapter, else "".</summary>
    public string SecondAttachReason => SecondAttachRefusal is { } reason ? $" (it said: {reason})" : "";
}

/// <param name="Model">The study's model, the base loaded and nothing attached.</param>
/// <param name="AttachAdapter">Attaches a fresh adapter of the study's adapter strategy, with the recipe's options.</param>
/// <param name="TaskNames">The tasks in training order.</param>
/// <param name="Seed">The recipe's seed; every random choice derives from it.</param>
public sealed record ContinualSetup(IAdaptableModel Model, Func<IAdapter> AttachAdapter, IReadOnlyList<string> TaskNames, int Seed);

/// <summary>How evaluation chooses what answers a question.</summary>
public enum EvaluationRouting
{
    /// <summary>One model answers every task.</summary>
    Shared,

    /// <summary>The task is given: the host calls <see cref="IContinualLearner.Activate"/> with the task of the evaluation set.</summary>
    ByTaskId,

    /// <summary>The task is not given: the host computes the base encoder's [CLS] vectors and asks <see cref="IContinualLearner.Route"/>.</summary>
    ByContent,
}

/// <summary>A training window of a task: the task's number (from 0) and the window's index in that task's training windows.</summary>
public readonly record struct WindowRef(int Task, int Window);

/// <summary>One study's continual-learning state, driven by the host task by task.</summary>
public interface IContinualLearner : IDisposable
{
    /// <summary>Prepares training on task <paramref name="task"/> (from 0): attaches or freezes adapters. Returns exactly the parameters the optimizer updates for it.</summary>
    IReadOnlyList<NamedParameter> BeginTask(int task);

    /// <summary>
    /// Windows of earlier tasks to add to the batch of step <paramref name="step"/> of task <paramref name="task"/>; empty for
    /// most strategies. Must depend only on its arguments and saved state, so a resumed run mixes in the same windows.
    /// </summary>
    IReadOnlyList<WindowRef> ReplayWindows(int task, int step);

    /// <summary>A term added to the training loss at every step (EWC, O-LoRA), or null. Created in the host's dispose scope.</summary>
    Tensor? Penalty();

    /// <summary>After training on a task: gathers what later tasks need (Fisher information, a memory, a routing centroid).</summary>
    void EndTask(int task, ITaskSamples samples);

    /// <summary>Writes everything needed to continue after the last <see cref="EndTask"/> into <paramref name="directory"/> (which exists): adapter weights too.</summary>
    void Save(string directory);

    /// <summary>
    /// Reads what <see cref="Save"/> wrote. The host first calls <see cref="BeginTask"/> for every finished task, in order,
    /// so the adapters exist; then this restores their weights and the strategy's statistics.
    /// </summary>
    void Load(string directory);

    /// <summary>How evaluation chooses what answers.</summary>
    EvaluationRouting Routing { get; }

    /// <summary>
    /// With routing: makes the model compute as it does for task <paramref name="task"/> (for a task not trained yet, the
    /// most recent one); null: the base encoder with every adapter disabled. No effect with <see cref="EvaluationRouting.Shared"/>.
    /// </summary>
    void Activate(int? task);

    /// <summary>With <see cref="EvaluationRouting.ByContent"/>: the task whose model answers each row of <paramref name="baseCls"/> ([n, hidden], the base encoder's [CLS] vectors).</summary>
    int[] Route(Tensor baseCls);

    /// <summary>The adapters attached so far, in task order (one for most strategies, one per task for per-task adapters), for saving.</summary>
    IReadOnlyList<IAdapter> Adapters { get; }
}

/// <summary>A trained task's data, for strategies that gather statistics over it.</summary>
public interface ITaskSamples
{
    /// <summary>The task's number, from 0.</summary>
    int Task { get; }

    /// <summary>Number of training windows of the task.</summary>
    int Count { get; }

    /// <summary>The task's training windows in the order training used them (each window as often as it was used).</summary>
    IReadOnlyList<int> SeenWindows { get; }

    /// <summary>The mean span loss over these windows with the model as it is, without dropout, recording gradients.</summary>
    Tensor Loss(IReadOnlyList<int> windows);

    /// <summary>[n, hidden] [CLS] vectors of the encoder as it computes now, no gradients; call <see cref="IContinualLearner.Activate"/>(null) first for the base encoder's.</summary>
    Tensor Cls(IReadOnlyList<int> windows);
}
