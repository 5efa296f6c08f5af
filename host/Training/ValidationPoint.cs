namespace PeftQa.Host.Training;

/// <summary>One scoring of a task's validation questions during training: the step and the early-stopping metric's score.</summary>
public sealed record ValidationPoint(int Step, double Score);
