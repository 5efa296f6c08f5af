using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace PeftQa.Host.Recipes;

/// <summary>
/// A recipe file: which model, which tasks in which order, which adapter strategies, how to train and evaluate.
/// Every option has one default, given here and documented in docs/recipes.md. A single-task recipe is a study of
/// one task; listing several adapters makes a comparison over the same data.
/// </summary>
public sealed record Recipe
{
    [JsonPropertyName("$schema")]
    [Description("The JSON Schema editors check this recipe against (recipes/recipe.schema.json, written by peftqa schema); peftqa itself " +
                 "ignores it.")]
    public string? Schema { get; init; }

    [Description("Name of the recipe; the run folder is named after it.")]
    public required string Name { get; init; }

    [Description("Base model: a Hugging Face checkpoint folder or builtin:minilm-l6.")]
    public string Model { get; init; } = "builtin:minilm-l6";

    [Description("Folder that relative data paths resolve against (relative to the recipe file). Overridden by --data-root and PEFTQA_DATA.")]
    public string? DataRoot { get; init; }

    /// <summary>The seed of a recipe that names none.</summary>
    public const int DefaultSeed = 42;

    [Description("Seed for initialisation, shuffling and dropout.")]
    public int Seed { get; init; } = DefaultSeed;

    [Description("Run every study once per seed (initialisation, data order, dropout); reports give each seed's scores and their mean and " +
                 "standard deviation. null: once, with seed. The data samples and the baseline use seed.")]
    [MinLength(1)]
    public List<int>? Seeds { get; init; }

    [Description("Fail on any bad question in the data instead of skipping it with a warning.")]
    public bool StrictData { get; init; }

    [Description("Extra plugin folders (relative to the recipe file), searched after the host's own.")]
    public List<string> Plugins { get; init; } = [];

    [Description("The tasks, trained in this order and each evaluated after every training stage.")]
    [MinLength(1)]
    public required List<TaskSpec> Tasks { get; init; }

    [Description("Adapter strategies; each runs the whole task sequence from the same base model.")]
    [MinLength(1)]
    public List<AdapterSpec> Adapters { get; init; } = [new AdapterSpec { Strategy = "full" }];

    [Description("Continual-learning strategies; each runs with every adapter strategy it lists (all by default). One study per pair.")]
    [MinLength(1)]
    public List<ContinualSpec> Continual { get; init; } = [new ContinualSpec { Strategy = "naive" }];

    [Description("Optimisation settings.")]
    public TrainingSettings Training { get; init; } = new();

    [Description("Evaluation settings.")]
    public EvaluationSettings Evaluation { get; init; } = new();

    [Description("How studies are compared in reports: the reference study and the bootstrap resamples.")]
    public CompareSettings Compare { get; init; } = new();

    [Description("Choose each method's searched hyperparameters on a validation split of the training data (null: no split; a search then " +
                 "runs every combination on the evaluation data).")]
    public SelectionSettings? Selection { get; init; }

    [Description("Folder under which run folders are created (relative to the working directory).")]
    public string Output { get; init; } = "runs";

    /// <summary>
    /// The label of the study that runs <paramref name="adapter"/> with <paramref name="continual"/>: the adapter's label
    /// alone when the recipe has one continual strategy, else "adapter+continual".
    /// </summary>
    public string StudyLabel(AdapterSpec adapter, ContinualSpec continual) =>
        Continual.Count == 1 ? adapter.DisplayName : $"{adapter.DisplayName}+{continual.DisplayName}";

    /// <summary>The seeds every study runs with: <see cref="Seeds"/>, else <see cref="Seed"/> alone.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> StudySeeds => Seeds ?? [Seed];

    /// <summary>A study's label for one seed: the configuration's label, with " seed N" when the recipe runs several seeds.</summary>
    public string SeededLabel(string configuration, int seed) => StudySeeds.Count > 1 ? $"{configuration} seed {seed}" : configuration;

    /// <summary>Every (adapter, continual strategy) pair the recipe runs, with their indices, in plan order.</summary>
    public IEnumerable<(int AdapterIndex, int ContinualIndex)> StudyPairs() =>
        from a in Enumerable.Range(0, Adapters.Count)
        from k in Enumerable.Range(0, Continual.Count)
        where Continual[k].Adapters is not { } only || only.Contains(Adapters[a].DisplayName, StringComparer.OrdinalIgnoreCase)
        select (a, k);
}
