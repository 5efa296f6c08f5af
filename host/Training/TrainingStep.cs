using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Host.Training;

/// <summary>
/// One optimizer step as training takes it: forward and backward over up to <c>gradientAccumulation</c> micro-batches of
/// windows, each padded to its own longest window and its loss weighted by its share of the step's windows; a continual
/// strategy's extra windows, its batch penalty, once per step its weight penalty, and its change to the gradients;
/// gradient clipping; then AdamW with decoupled weight decay, none on biases and LayerNorm weights, each parameter at
/// its learning-rate scale (<see cref="ParameterGroup"/>). <see cref="QaTrainer"/> walks a task with it and <c>peftqa
/// bench</c> times it, so the benchmark measures the step training really takes.
/// </summary>
public sealed class TrainingStep(BertForQuestionAnswering model, IReadOnlyList<NamedParameter> trainable, TrainingSettings settings, int padId,
    Device device, ITrainingHooks? hooks = null) : IDisposable
{
    private readonly IReadOnlyList<ParameterGroup> groups = ParameterGroup.Of(trainable);


    /// <summary>Told where each step is (for bench --profile); null in training.</summary>
    public Action<StepPhase>? PhaseReached { get; set; }

    /// <summary>The optimizer, whose state checkpoints save and restore.</summary>
    public AdamW Optimizer { get; } = CreateOptimizer(ParameterGroup.Of(trainable), settings);

    /// <param name="microBatches">The step's windows, one list per micro-batch.</param>
    /// <param name="step">The step's index in the task (0-based), which names the micro-batches to continual strategies.</param>
    public StepOutcome Take(IReadOnlyList<IReadOnlyList<QaFeature>> microBatches, int step, double learningRate)
    {
        int g = 0;
        foreach (var group in Optimizer.ParamGroups) group.LearningRate = learningRate * groups[g++].LearningRateScale;
        int stepWindows = microBatches.Sum(b => b.Count);
        double stepLoss = 0;
        double? penalty = null;
        Optimizer.zero_grad();
        for (int m = 0; m < microBatches.Count; m++)
        {
            double share = (double)microBatches[m].Count / stepWindows;
            var (loss, batchPenalty) = ForwardBackward(microBatches[m], step * settings.GradientAccumulation + m, share);
            if (!double.IsFinite(loss)) return new StepOutcome(loss, null);
            stepLoss += loss * share;
            if (batchPenalty is { } p) penalty = (penalty ?? 0) + p * share;
        }
        if (BackwardPenalty() is { } weightPenalty) penalty = (penalty ?? 0) + weightPenalty;
        hooks?.AdjustGradients(step, trainable);
        PhaseReached?.Invoke(StepPhase.OptimizerBegins);
        if (settings.MaxGradNorm > 0) nn.utils.clip_grad_norm_(trainable.Select(p => p.Parameter), settings.MaxGradNorm);
        Optimizer.step();
        PhaseReached?.Invoke(StepPhase.StepEnded);
        return new StepOutcome(stepLoss, penalty);
    }

    /// <summary>
    /// The micro-batch's span loss and a strategy's batch penalty; the gradient of their sum, weighted by <paramref name="share"/>,
    /// is added unless the loss is not finite.
    /// </summary>
    private (double Loss, double? Penalty) ForwardBackward(IReadOnlyList<QaFeature> windows, int microBatch, double share)
    {
        using var scope = NewDisposeScope();
        PhaseReached?.Invoke(StepPhase.ForwardBegins);
        var withExtra = hooks is null ? windows : [.. windows, .. hooks.ExtraWindows(microBatch)];
        using var batch = FeatureBatch.Collate(withExtra, padId, device);
        // Before the forward pass: a strategy may run the model with other weights to make its term (LwF's teacher).
        var term = hooks?.BatchPenalty(batch);
        var (start, end) = model.Forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
        var loss = BertForQuestionAnswering.Loss(start, end, batch.StartPositions, batch.EndPositions);
        double value = loss.item<float>();
        if (!double.IsFinite(value)) return (value, null);
        var penalty = term?.Invoke(start, end);
        PhaseReached?.Invoke(StepPhase.BackwardBegins);
        ((penalty is null ? loss : loss + penalty) * share).backward();
        PhaseReached?.Invoke(StepPhase.BackwardEnded);
        return (value, penalty?.item<float>());
    }

    /// <summary>A continual strategy's penalty depends on the weights only: once per step, not once per micro-batch.</summary>
    private double? BackwardPenalty()
    {
        using var scope = NewDisposeScope();
        if (hooks?.Penalty() is not { } penalty) return null;
        penalty.backward();
        return penalty.item<float>();
    }

    public void Dispose() => Optimizer.Dispose();

    private static AdamW CreateOptimizer(IReadOnlyList<ParameterGroup> groups, TrainingSettings settings)
    {
        if (groups.Count == 0) throw new InvalidOperationException("the adapter strategy left no parameter trainable");
        // No rate yet: Take sets every group's rate from the schedule before each step.
        return optim.AdamW(groups.Select(g => new AdamW.ParamGroup(g.Parameters, 0, 0.9, 0.999, 1e-8,
            g.Decays ? settings.WeightDecay : 0, false, false)), 0);
    }
}
