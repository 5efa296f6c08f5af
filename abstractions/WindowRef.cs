namespace PeftQa.Abstractions;

/// <summary>A training window of a task: the task's number (from 0) and the window's index in that task's training windows.</summary>
public readonly record struct WindowRef(int Task, int Window);
