namespace PeftQa.Abstractions;

/// <param name="Model">The study's model, the starting model loaded and nothing attached.</param>
/// <param name="AttachAdapter">Attaches a fresh adapter of the study's adapter strategy, with the recipe's options.</param>
/// <param name="TaskNames">The trained tasks in training order.</param>
/// <param name="Seed">The recipe's seed; every random choice derives from it.</param>
public sealed record ContinualSetup(IAdaptableModel Model, Func<IAdapter> AttachAdapter, IReadOnlyList<string> TaskNames, int Seed)
{
    /// <summary>
    /// The retention tasks (evaluated at every stage, never trained), each with its memory: the data the recipe gave it
    /// to remember (<c>tasks[].memory</c>; <see cref="ITaskSamples.Count"/> 0 without). Their task numbers follow the trained
    /// tasks': retention task r is task <c>TaskNames.Count + r</c>, in <see cref="WindowRef"/>s too.
    /// </summary>
    public IReadOnlyList<RetentionTask> Retention { get; init; } = [];

    /// <summary>The starting model already answers questions: its checkpoint had a trained QA head (a fine-tuned model), not a fresh one.</summary>
    public bool StartsFromQaModel { get; init; }

    /// <summary>
    /// Writes a line to the run's log, under the study's name: what a strategy did that a user should be able to check
    /// (how often A-GEM projected).
    /// </summary>
    public Action<string> Log { get; init; } = _ => { };

    /// <summary>The retention task named <paramref name="name"/> (case-insensitive), or null.</summary>
    public RetentionTask? RetentionTaskNamed(string? name) =>
        name is null ? null : Retention.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
}
