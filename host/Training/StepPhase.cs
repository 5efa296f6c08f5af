namespace PeftQa.Host.Training;

/// <summary>Where <see cref="TrainingStep.Take"/> is, reported to <see cref="TrainingStep.PhaseReached"/> (bench --profile).</summary>
public enum StepPhase
{
    /// <summary>A micro-batch's collation and forward pass (with its loss) begin.</summary>
    ForwardBegins,

    /// <summary>Its backward pass begins.</summary>
    BackwardBegins,

    /// <summary>Its backward pass has ended.</summary>
    BackwardEnded,

    /// <summary>Gradient clipping and the optimizer's update begin.</summary>
    OptimizerBegins,

    /// <summary>The step has ended.</summary>
    StepEnded,
}
