namespace PeftQa.Abstractions;

/// <param name="Model">The study's model, the base loaded and nothing attached.</param>
/// <param name="AttachAdapter">Attaches a fresh adapter of the study's adapter strategy, with the recipe's options.</param>
/// <param name="TaskNames">The tasks in training order.</param>
/// <param name="Seed">The recipe's seed; every random choice derives from it.</param>
public sealed record ContinualSetup(IAdaptableModel Model, Func<IAdapter> AttachAdapter, IReadOnlyList<string> TaskNames, int Seed);
