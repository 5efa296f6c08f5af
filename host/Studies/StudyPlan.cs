using PeftQa.Abstractions;

namespace PeftQa.Host.Studies;

/// <summary>
/// One study: an adapter strategy and a continual strategy carried through the run's task sequence from the base
/// model, every effective setting decided by the planner. A single-task recipe is a study of one task; several adapters
/// or continual strategies make several studies over the same data.
/// </summary>
/// <param name="Tasks">Per task of the run, in order: how this study trains it.</param>
/// <param name="Seed">The study's seed (the recipe's seed, or one of its seeds): the base model's fresh QA head and
/// every seeded choice derive from it.</param>
/// <param name="AdapterLabel">The adapter's name in reports (its label, else its strategy).</param>
public sealed record StudyPlan(string Label, IAdapterStrategy Strategy, object Options, IReadOnlyList<StudyTaskPlan> Tasks, ContinualPlan Continual,
    string AdapterLabel, int Seed)
{
    /// <summary>
    /// The configuration's label, shared by its studies of different seeds: the method and, for a search without
    /// selection, its choices.
    /// </summary>
    public string Configuration { get; init; } = Label;

    /// <summary>The recipe's (adapter, continual strategy) pair this study comes from, before any search.</summary>
    public string Method { get; init; } = Label;

    /// <summary>The searched settings this study uses, such as "r=8 lr=0.001"; empty without a search.</summary>
    public string Choices { get; init; } = "";

    /// <summary>The training questions of a training-size sweep this study trains on (<c>lora n=64</c>); null without a sweep.</summary>
    public int? TrainingSize { get; init; }

    /// <summary>
    /// In a comparison of augmentations, the configuration (without a sweep's size) this one is compared with: the same
    /// method with the first augmentation list ("lora aug=none"); null otherwise.
    /// </summary>
    public string? ComparedWith { get; init; }

    /// <summary>
    /// Set while the study's configuration is still to be chosen on validation data: the candidates, each planned in full
    /// with the recipe's seed. <see cref="WithChosen"/> makes the study from the winner.
    /// </summary>
    public IReadOnlyList<StudyPlan>? ChooseFrom { get; init; }

    /// <summary>
    /// An earlier study of the run that trains exactly as this one does (same strategies, options, settings, data and
    /// seeds), as a folder relative to the run folder: this study adopts its weights after each task, once that study
    /// has finished, and only evaluates. Null: it trains.
    /// </summary>
    public string? ReusesTrainingOf { get; init; }

    /// <summary>
    /// Keep the continual learner's state after every task, not only the last, because a later study may adopt it
    /// (<see cref="ReusesTrainingOf"/>).
    /// </summary>
    public bool KeepsEveryStage { get; init; }

    /// <summary>
    /// What decides how the study trains, as one string: two studies with the same key train to the same weights, whatever
    /// their labels.
    /// </summary>
    public string TrainingKey() => System.Text.Json.JsonSerializer.Serialize(new
    {
        strategy = Strategy.Name,
        options = System.Text.Json.JsonSerializer.SerializeToNode(Options, Options.GetType()),
        continual = Continual.Strategy.Name,
        continualOptions = System.Text.Json.JsonSerializer.SerializeToNode(Continual.Options, Continual.Options.GetType()),
        tasks = Tasks.Select(t => new
        {
            t.Name, settings = System.Text.Json.JsonSerializer.SerializeToNode(t.Settings), t.LearningRate, t.Seed, sample = t.Sample?.ToString(),
        }),
        seed = Seed,
    });

    /// <summary>
    /// The seed task <paramref name="task"/> (from 0) of a study seeded with <paramref name="studySeed"/> trains with (its
    /// data order and dropout): the study's seed plus the task's index, so no two tasks of a study share a stream.
    /// </summary>
    public static int TaskSeed(int studySeed, int task) => studySeed + task;

    /// <summary>
    /// This study, as <paramref name="candidate"/>'s configuration run with this study's label and seed. With the
    /// candidate's own seed it trains as the candidate did, so it adopts the candidate's weights when
    /// <paramref name="candidateFolder"/> (relative to the run folder) is given.
    /// </summary>
    public StudyPlan WithChosen(StudyPlan candidate, string? candidateFolder = null) => candidate with
    {
        Label = Label,
        Seed = Seed,
        Tasks = candidate.Tasks.Select((task, i) => task with { Seed = TaskSeed(Seed, i) }).ToList(),
        Configuration = Configuration,
        ChooseFrom = null,
        KeepsEveryStage = false,
        ReusesTrainingOf = Seed == candidate.Seed ? candidateFolder : null,
    };
}
