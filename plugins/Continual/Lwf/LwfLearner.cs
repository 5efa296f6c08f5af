using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Continual;

/// <summary>
/// Keeps the trainable parameters' values as each task starts (the previous model, the teacher) and, on every training
/// batch, runs the model with those values to get the teacher's answers, then puts the current values back.
/// </summary>
internal sealed class LwfLearner(ContinualSetup setup, LwfOptions options) : LearnerBase(setup)
{
    private IReadOnlyList<NamedParameter> trainable = [];
    private Tensor[]? teacher;

    /// <summary>The teacher's values of the trainable parameters, null while nothing is distilled.</summary>
    public IReadOnlyList<Tensor>? Teacher => teacher;

    public override IReadOnlyList<NamedParameter> BeginTask(int task) => trainable = base.BeginTask(task);

    public override void BeforeTraining(int task)
    {
        DisposeState();
        if (task == 0 && !DistilsFromStart) return;
        using var _ = no_grad();
        teacher = trainable.Select(p => p.Parameter.detach().clone()).ToArray();
    }

    private bool DistilsFromStart => options.FromStart switch { "always" => true, "never" => false, _ => Setup.StartsFromQaModel };

    /// <summary>
    /// The teacher's answers on the batch, computed before the training forward pass (swapping weights afterwards would
    /// change tensors its backward pass needs), and the distillation of the batch's logits towards them.
    /// </summary>
    public override BatchPenaltyTerm? BatchPenalty(ITrainingBatch batch)
    {
        if (teacher is null || options.Alpha == 0) return null;
        var (teacherStart, teacherEnd) = WithTeacher(batch.ForwardWithoutDropout);
        var mask = batch.AttentionMask;
        return (start, end) => DistillationLoss.Compute(start, end, teacherStart, teacherEnd, mask, options.Temperature) * options.Alpha;
    }

    /// <summary>Runs <paramref name="forward"/> with the teacher's values in the trainable parameters, restoring the current ones after.</summary>
    private T WithTeacher<T>(Func<T> forward)
    {
        using var _ = no_grad();
        var current = trainable.Select(p => p.Parameter.detach().clone()).ToArray();
        try
        {
            for (int p = 0; p < trainable.Count; p++) trainable[p].Parameter.copy_(teacher![p]);
            return forward();
        }
        finally
        {
            for (int p = 0; p < trainable.Count; p++) trainable[p].Parameter.copy_(current[p]);
            foreach (var tensor in current) tensor.Dispose();
        }
    }

    protected override void DisposeState()
    {
        foreach (var tensor in teacher ?? []) tensor.Dispose();
        teacher = null;
    }
}
