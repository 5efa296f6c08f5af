namespace PeftQa.Abstractions;

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
