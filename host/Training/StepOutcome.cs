namespace PeftQa.Host.Training;

/// <summary>
/// What one optimizer step produced: its loss (non-finite: the step stopped before changing any weight) and a continual
/// penalty, if any.
/// </summary>
public sealed record StepOutcome(double Loss, double? Penalty);
