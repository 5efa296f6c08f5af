using PeftQa.Host.Recipes;

namespace PeftQa.Host.Planning;

/// <summary>One task of the run, its data files resolved; the run's task list holds each task once.</summary>
public sealed record TaskPlan(string Name, string Train, string Eval, int? MaxTrainExamples, int? MaxEvalExamples, HoldOutSplit? Split = null);
