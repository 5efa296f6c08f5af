using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>
/// One study's continual-learning state, driven by the host task by task. The members with a body are optional: the
/// host calls them at every step, and a strategy overrides the ones it needs.
/// </summary>
public interface IContinualLearner : IDisposable
{
    /// <summary>
    /// Prepares training on task <paramref name="task"/> (from 0): attaches or freezes adapters. Returns exactly the
    /// parameters the optimizer updates for it.
    /// </summary>
    IReadOnlyList<NamedParameter> BeginTask(int task);

    /// <summary>
    /// Windows of earlier tasks to add to training micro-batch <paramref name="batch"/> of task <paramref name="task"/>; empty
    /// for most strategies. Must depend only on its arguments and saved state, so a resumed run mixes in the same windows.
    /// </summary>
    /// <param name="task">The task being trained, from 0.</param>
    /// <param name="batch">
    /// The micro-batch's index in the task, from 0: its optimizer step's index times <c>training.gradientAccumulation</c>,
    /// plus its place within that step. It equals the step's index only without gradient accumulation; it is not an
    /// optimizer step (<see cref="IGradientStep.Step"/> is).
    /// </param>
    IReadOnlyList<WindowRef> ReplayWindows(int task, int batch);

    /// <summary>A term added to the training loss at every step (EWC, O-LoRA), or null. Created in the host's dispose scope.</summary>
    Tensor? Penalty();

    /// <summary>
    /// Called once right before task <paramref name="task"/> trains (or resumes training), after <see cref="BeginTask"/> and any
    /// <see cref="Load"/>: the model holds the weights the task started from, which a strategy may keep (LwF's teacher) or
    /// measure (EWC's Fisher on a retention task before the first task). Not called for tasks a resumed run skips.
    /// </summary>
    void BeforeTraining(int task)
    {
    }

    /// <summary>
    /// Called before each training micro-batch's forward pass: null, or the term to add to that batch's loss once its
    /// logits exist, weighted like the batch's loss (LwF's distillation). Tensors are created in the host's dispose scope.
    /// </summary>
    BatchPenaltyTerm? BatchPenalty(ITrainingBatch batch) => null;

    /// <summary>
    /// Called after each step's backward and before gradient clipping and the update: may change the gradients (A-GEM's
    /// projection).
    /// </summary>
    void AdjustGradients(IGradientStep step)
    {
    }

    /// <summary>After training on a task: gathers what later tasks need (Fisher information, a memory, a routing centroid).</summary>
    void EndTask(int task, ITaskSamples samples);

    /// <summary>
    /// Writes everything needed to continue after the last <see cref="EndTask"/> into <paramref name="directory"/> (which
    /// exists): adapter weights too.
    /// </summary>
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
    /// most recent one); null: the base encoder with every adapter disabled. With <see cref="EvaluationRouting.Shared"/>,
    /// evaluation never calls it; the host calls it while saving a finished study, after the shared model is saved and
    /// before each adapter is, so a learner whose adapters share parameters with the model (the merge strategy's per-task
    /// QA heads) can put that task's own values in place; most shared learners leave it empty. While a task trains, the
    /// host calls it with that task before scoring validation questions: the model as it trains answers then.
    /// </summary>
    void Activate(int? task);

    /// <summary>
    /// With <see cref="EvaluationRouting.ByContent"/>: the task whose model answers each row of <paramref name="baseCls"/>
    /// ([n, hidden], the base encoder's [CLS] vectors), or -1 for the starting model (what <see cref="Activate"/>(null)
    /// gives: every adapter off), for windows that belong to none of the trained tasks, such as a retention task's.
    /// </summary>
    int[] Route(Tensor baseCls);

    /// <summary>The adapters attached so far, in task order (one for most strategies, one per task for per-task adapters), for saving.</summary>
    IReadOnlyList<IAdapter> Adapters { get; }
}
