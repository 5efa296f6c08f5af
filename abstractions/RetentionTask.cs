namespace PeftQa.Abstractions;

/// <summary>A retention task as continual strategies see it: its name, and its memory's windows (task number after the trained tasks').</summary>
public sealed record RetentionTask(string Name, ITaskSamples Memory);
