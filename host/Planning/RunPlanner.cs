using System.Text.Json;
using PeftQa.Abstractions;
using PeftQa.Host.Studies;
using PeftQa.Host.Data;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Planning;

/// <summary>
/// Turns a recipe into a <see cref="RunPlan"/>, checking what needs plugins, data and the model's config: strategy and
/// metric names, strategy options (types and the strategy's own rules), pairings (by the strategies' declared traits),
/// data files. Every effective setting of every study is decided here, once. Every problem is reported at once, each
/// prefixed with the recipe file and JSON path.
/// </summary>
public sealed class RunPlanner
{
    private readonly RecipeLoader.LoadedRecipe loaded;
    private readonly PluginCatalog plugins;
    private readonly List<string> problems = [];
    private List<TaskPlan> plannedTasks = [];

    private RunPlanner(RecipeLoader.LoadedRecipe loaded, PluginCatalog plugins)
    {
        this.loaded = loaded;
        this.plugins = plugins;
    }

    private Recipe Recipe => loaded.Recipe;

    /// <param name="overrides">What the command line sets instead of the recipe (--precision, --data-root).</param>
    /// <param name="bf16">Whether the run's device computes bf16 natively, which <c>training.precision: auto</c> decides on.</param>
    /// <param name="pinned">The precision the run's folder recorded when the run started (a resume, a shard, a report):
    /// used instead of resolving again, as long as the recipe still asks for what it was resolved from.</param>
    /// <param name="fp32Route">Which kernels the run's device computes fp32 products with (a host property, never pinned).</param>
    /// <exception cref="BadInputException">Every problem found, each naming the recipe file and JSON path.</exception>
    public static RunPlan Plan(RecipeLoader.LoadedRecipe loaded, PluginCatalog plugins, RunOverrides? overrides = null,
        Bf16Support? bf16 = null, ComputePrecision? pinned = null, Fp32ProductRoute? fp32Route = null)
    {
        overrides ??= RunOverrides.None;
        var planner = new RunPlanner(loaded with { Recipe = overrides.ApplyTo(loaded.Recipe) }, plugins);
        return planner.Plan(overrides.FullDataRoot, bf16 ?? Bf16Support.NotChecked, pinned, fp32Route);
    }

    private RunPlan Plan(string? dataRootOverride, Bf16Support bf16, ComputePrecision? pinned, Fp32ProductRoute? fp32Route)
    {
        var dataRoot = DataRoot(dataRootOverride);
        var model = DescribeModel();
        var tasks = plannedTasks = PlanTasks(dataRoot);
        var adapters = PlanAdapters(model);
        var continual = PlanContinualStrategies();
        var studies = PlanStudies(adapters, continual, model is not null);
        var metrics = Require<IMetric>(Recipe.Evaluation.Metrics, "$.evaluation.metrics");
        var continualMetrics = Require<IContinualMetric>(Recipe.Evaluation.ContinualMetrics, "$.evaluation.continualMetrics");
        if (Recipe.Selection is not null) CheckSelection(Recipe.Selection, tasks, studies);
        if (Recipe.Training.EarlyStopping is { } earlyStopping) CheckEarlyStopping(earlyStopping, tasks);
        if (problems.Count > 0) throw new BadInputException(problems);
        var effectiveRecipe = EffectiveRecipe.Of(Recipe, plugins);
        return new RunPlan(Recipe, loaded.DisplayPath, model!, dataRoot, tasks, effectiveRecipe, StudyReuse.Mark(studies), metrics, continualMetrics)
        {
            Reference = ReferenceConfiguration(studies),
            Precision = ComputePrecision.Resolve(Recipe.Training.Precision, bf16, pinned, fp32Route),
        };
    }

    /// <summary>
    /// Selection must score a measured metric, and its validation paragraphs (taken from training data) must never be
    /// evaluation data.
    /// </summary>
    private void CheckSelection(SelectionSettings selection, List<TaskPlan> tasks, List<StudyPlan> studies)
    {
        CheckMetric(selection.Metric, "$.selection.metric");
        CheckValidationIsNotEvaluation(tasks, "selection");
        if (selection.Strategy != "halving") return;
        if (studies.Count > 0 && studies.All(s => s.ChooseFrom is null))
            problems.Add($"{At("$.selection.strategy")}: halving needs a search of at least two candidates, and no adapter searches any " +
                         "(give a list, such as \"learningRate\": [1e-4, 3e-4], or use \"grid\")");
        if (tasks.Count(t => !t.Retention) > 1)
            problems.Add($"{At("$.selection.strategy")}: halving continues candidates from their checkpoints, which a sequence of " +
                         $"{tasks.Count(t => !t.Retention)} trained tasks cannot do once the next task started; use \"grid\"");
    }

    /// <summary>Early stopping scores a measured metric on validation paragraphs held out of the training data, never on evaluation data.</summary>
    private void CheckEarlyStopping(EarlyStoppingSettings earlyStopping, List<TaskPlan> tasks)
    {
        CheckMetric(earlyStopping.Metric, "$.training.earlyStopping.metric");
        if (Recipe.Selection is null) CheckValidationIsNotEvaluation(tasks, "early stopping");
    }

    private void CheckMetric(string metric, string path)
    {
        if (!Recipe.Evaluation.Metrics.Contains(metric, StringComparer.OrdinalIgnoreCase))
            problems.Add($"{At(path)}: '{metric}' is not one of evaluation.metrics ({string.Join(", ", Recipe.Evaluation.Metrics)})");
    }

    private void CheckValidationIsNotEvaluation(List<TaskPlan> tasks, string user)
    {
        for (int i = 0; i < tasks.Count; i++)
            if (!tasks[i].Retention && tasks[i].Train == tasks[i].Eval && tasks[i].Split is null)
                problems.Add($"{At($"$.tasks[{i}]")}: task '{tasks[i].Name}' trains and evaluates on the same file, " +
                             $"so {user}'s validation paragraphs would be evaluation questions; give a separate eval file or a split");
    }

    /// <summary>compare.reference names a method; a search without selection makes its first combination the reference.</summary>
    private string? ReferenceConfiguration(List<StudyPlan> studies) =>
        Recipe.Compare.Reference is not { } reference ? null
            : studies.FirstOrDefault(s => s.Method == reference || s.Configuration == reference)?.Configuration ?? reference;

    private string At(string path) => $"{loaded.DisplayPath}: {path}";

    private T? Try<T>(Func<T> step) where T : class
    {
        try { return step(); }
        catch (BadInputException e) { problems.AddRange(e.Problems); return null; }
    }

    private string? DataRoot(string? dataRootOverride)
    {
        var dataRoot = dataRootOverride ?? (Recipe.DataRoot is null ? null : Path.GetFullPath(Recipe.DataRoot, loaded.Directory));
        if (dataRoot is not null && !Directory.Exists(dataRoot))
            problems.Add($"data root not found: {dataRoot} " +
                         $"(from {(dataRootOverride is null ? $"{At("$.dataRoot")}" : "--data-root or PEFTQA_DATA")})");
        return dataRoot;
    }

    private ModelDescription? DescribeModel()
    {
        var model = Try(() => ModelSources.Describe(Recipe.Model, loaded.Directory, At("$.model")));
        if (model is null) return null;
        Try(() => { ModelSources.Verify(Recipe.Model, loaded.Directory, At("$.model")); return model; });
        if (Recipe.Training.MaxSequenceLength > model.MaxPositionEmbeddings)
            problems.Add($"{At("$.training.maxSequenceLength")}: {Recipe.Training.MaxSequenceLength} tokens is more than the model's " +
                         $"{model.MaxPositionEmbeddings} position embeddings (max_position_embeddings in its config); " +
                         $"use at most {model.MaxPositionEmbeddings}");
        return model;
    }

    private List<TaskPlan> PlanTasks(string? dataRoot)
    {
        var tasks = new List<TaskPlan>();
        for (int i = 0; i < Recipe.Tasks.Count; i++)
        {
            var task = Recipe.Tasks[i];
            var field = task.Retention ? "memory" : "train";
            var train = task.TrainingData is null ? null : Try(() => DataSources.Resolve(task.TrainingData, dataRoot, At($"$.tasks[{i}].{field}")));
            var eval = Try(() => DataSources.Resolve(task.Eval, dataRoot, At($"$.tasks[{i}].eval")));
            if ((train is not null || task.TrainingData is null) && eval is not null)
                tasks.Add(new TaskPlan(task.Name, train, eval, task.MaxTrainExamples is { IsSearch: false } limit ? limit.Values[0] : null,
                    task.MaxEvalExamples, task.Split, task.Retention)
                {
                    TrainingSizes = task.MaxTrainExamples is { IsSearch: true } sizes ? sizes.Values : null,
                    AugmentVariants = task.AugmentVariants
                        .Select((pipeline, v) => PlanAugmentations(pipeline, i, v, task.Augment?.IsSearch ?? false, dataRoot)).ToList(),
                });
        }
        return tasks;
    }

    /// <summary>
    /// A task's augmentations: each plugin found, its options bound and checked by the plugin (the files they name
    /// included), so a bad augmentation fails before any work.
    /// </summary>
    private IReadOnlyList<PlannedAugmentation> PlanAugmentations(List<AugmentSpec> pipeline, int index, int variant, bool compared, string? dataRoot)
    {
        var planned = new List<PlannedAugmentation>();
        for (int k = 0; k < pipeline.Count; k++)
        {
            var spec = pipeline[k];
            string path = compared ? $"$.tasks[{index}].augment[{variant}][{k}]" : $"$.tasks[{index}].augment[{k}]";
            if (Try(() => (object)plugins.Require<IDataAugmentation>(spec.Strategy, At($"{path}.strategy"))) is not IDataAugmentation augmentation
                || BindOptions(augmentation, spec.Options, $"{path}.options") is not { } options)
                continue;
            var setup = new AugmentationSetup(file => Path.GetFullPath(file, dataRoot ?? loaded.Directory), $"{path}.options");
            var found = augmentation.Validate(options, setup);
            problems.AddRange(found.Select(p => $"{At($"{path}.options")}.{p}"));
            if (found.Count == 0) planned.Add(new PlannedAugmentation(augmentation, options, setup, path));
        }
        return planned;
    }

    /// <summary>One configuration of an adapter entry: a combination of its search (the entry itself when it searches nothing).</summary>
    private sealed record PlannedAdapter(
        int Index, AdapterSpec Spec, IAdapterStrategy Strategy, object Options, bool Valid, SearchSpace.Combination Combination);

    private List<PlannedAdapter> PlanAdapters(ModelDescription? model)
    {
        var adapters = new List<PlannedAdapter>();
        for (int i = 0; i < Recipe.Adapters.Count; i++)
        {
            var spec = Recipe.Adapters[i];
            var strategy = Try(() => (object)plugins.Require<IAdapterStrategy>(spec.Strategy, At($"$.adapters[{i}].strategy"))) as IAdapterStrategy;
            if (strategy is null) continue;
            var (combinations, searchProblems) = SearchSpace.Expand(spec, strategy.OptionsType, $"$.adapters[{i}]");
            problems.AddRange(searchProblems.Select(At));
            foreach (var combination in combinations)
                if (PlanCombination(i, spec, strategy, combination, model) is { } planned) adapters.Add(planned);
        }
        return adapters;
    }

    /// <summary>A combination's options, bound and checked by the strategy; a problem several combinations share is reported once.</summary>
    private PlannedAdapter? PlanCombination(
        int index, AdapterSpec spec, IAdapterStrategy strategy, SearchSpace.Combination combination, ModelDescription? model)
    {
        int before = problems.Count;
        if (BindOptions(strategy, combination.Options, $"$.adapters[{index}].options") is not { } options)
        {
            RemoveRepeatedProblems(before);
            return null;
        }
        // Batches are padded up to a multiple of 8 tokens, and the padding takes positions too (a soft prompt's room).
        int paddedLength = (Recipe.Training.MaxSequenceLength + FeatureBatch.PadMultiple - 1) / FeatureBatch.PadMultiple * FeatureBatch.PadMultiple;
        var optionProblems = model is null ? []
            : strategy.Validate(options, model with { SequenceLength = paddedLength })
                .Select(p => $"{At($"$.adapters[{index}].options")}.{p}").ToList();
        problems.AddRange(optionProblems);
        RemoveRepeatedProblems(before);
        return new PlannedAdapter(index, spec, strategy, options, optionProblems.Count == 0, combination);
    }

    private void RemoveRepeatedProblems(int from)
    {
        var earlier = problems.Take(from).ToHashSet(StringComparer.Ordinal);
        var added = problems.Skip(from).Distinct(StringComparer.Ordinal).Where(p => !earlier.Contains(p)).ToList();
        problems.RemoveRange(from, problems.Count - from);
        problems.AddRange(added);
    }

    private sealed record PlannedContinual(int Index, ContinualSpec Spec, ContinualPlan Plan);

    private List<PlannedContinual> PlanContinualStrategies()
    {
        var continual = new List<PlannedContinual>();
        for (int k = 0; k < Recipe.Continual.Count; k++)
        {
            var spec = Recipe.Continual[k];
            var strategy = Try(() => (object)plugins.Require<IContinualStrategy>(spec.Strategy, At($"$.continual[{k}].strategy")))
                as IContinualStrategy;
            if (strategy is not null && BindOptions(strategy, spec.Options, $"$.continual[{k}].options") is { } options)
            {
                CheckRetentionTaskOptions(options, $"$.continual[{k}].options");
                continual.Add(new PlannedContinual(k, spec, new ContinualPlan(spec.DisplayName, strategy, options)));
            }
        }
        return continual;
    }

    /// <summary>
    /// An option marked <see cref="RetentionTaskAttribute"/> must name a retention task of the recipe that has a memory
    /// to draw on.
    /// </summary>
    private void CheckRetentionTaskOptions(object options, string path)
    {
        foreach (var property in options.GetType().GetProperties().Where(p => p.IsDefined(typeof(RetentionTaskAttribute), inherit: true)))
        {
            if (property.GetValue(options) is not string name) continue;
            var at = At($"{path}.{JsonNamingPolicy.CamelCase.ConvertName(property.Name)}");
            var task = Recipe.Tasks.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
            var retention = Recipe.Tasks.Where(t => t.Retention).Select(t => $"'{t.Name}'").ToList();
            if (task is null || !task.Retention)
                problems.Add($"{at}: '{name}' names no retention task of this recipe" +
                             (retention.Count == 0
                                 ? "; it has none (a task with \"retention\": true and a memory file)"
                                 : $"; its retention tasks are {string.Join(", ", retention)}"));
            else if (task.Memory is null)
                problems.Add($"{at}: retention task '{task.Name}' has no memory to draw on; " +
                             "give it one (tasks[].memory: a training file of that task)");
        }
    }

    /// <summary>
    /// One study per (adapter, continual strategy) pair, search combination and seed; a recipe with one continual strategy
    /// names studies after the adapters alone, a search adds its choices ("lora r=8"), several seeds add " seed N". With
    /// <c>selection</c>, a searched pair's studies are named after the pair and chosen from its combinations on validation data.
    /// </summary>
    private List<StudyPlan> PlanStudies(List<PlannedAdapter> adapters, List<PlannedContinual> continual, bool modelKnown)
    {
        var studies = new List<StudyPlan>();
        foreach (var (adapterIndex, continualIndex) in Recipe.StudyPairs())
        {
            var strategy = continual.FirstOrDefault(c => c.Index == continualIndex);
            var combinations = adapters.Where(a => a.Index == adapterIndex).ToList();
            if (combinations.Count == 0 || strategy is null) continue;
            var method = Recipe.StudyLabel(combinations[0].Spec, strategy.Spec);
            var configurations = combinations.Select(adapter => PlanConfiguration(adapter, strategy, method, modelKnown)).ToList();
            if (Recipe.Selection is not null && configurations.Count > 1)
                studies.AddRange(Recipe.StudySeeds.Select(seed => configurations[0] with
                {
                    Label = Recipe.SeededLabel(method, seed), Seed = seed, Configuration = method, Choices = "",
                    ChooseFrom = configurations.Select(c => c with { KeepsEveryStage = true }).ToList(),
                }));
            else
                studies.AddRange(configurations.SelectMany(WithAugmentations).SelectMany(WithTrainingSizes)
                    .SelectMany(c => Recipe.StudySeeds.Select(seed =>
                    c with { Label = Recipe.SeededLabel(c.Configuration, seed), Seed = seed, Tasks = PlanStudyTasks(c.Tasks, seed) })));
        }
        if (problems.Count == 0 && studies.Count == 0)
            problems.Add($"{At("$.continual")}: no continual strategy runs with any adapter; check continual[].adapters");
        var labels = studies.SelectMany(s => (s.ChooseFrom ?? []).Append(s))
            .Select(s => (s.Label, AdapterPath(s)))
            .DistinctBy(l => l.Label)
            .ToList();
        problems.AddRange(FolderNames.Problems(labels, "study label").Select(At));
        return studies;
    }

    /// <summary>The JSON path of the adapter entry a study comes from, for messages.</summary>
    private string AdapterPath(StudyPlan study) => $"$.adapters[{Recipe.Adapters.FindIndex(a => a.DisplayName == study.AdapterLabel)}]";

    /// <summary>One configuration (an adapter combination with a continual strategy) as a study with the recipe's seed.</summary>
    private StudyPlan PlanConfiguration(PlannedAdapter adapter, PlannedContinual strategy, string method, bool modelKnown)
    {
        if (modelKnown && adapter.Valid)
        {
            int before = problems.Count;
            problems.AddRange(strategy.Plan.Strategy
                .Validate(strategy.Plan.Options, adapter.Strategy.Traits(adapter.Options) with { Strategy = adapter.Strategy.Name })
                .Select(p => $"{At($"$.continual[{strategy.Index}]")} ({strategy.Plan.Label} with adapter '{adapter.Spec.DisplayName}'): {p}"));
            RemoveRepeatedProblems(before);
        }
        var label = adapter.Combination.Label(method);
        double learningRate = adapter.Combination.LearningRate ?? Recipe.Training.LearningRate
                              ?? adapter.Strategy.RecommendedLearningRate ?? TrainingSettings.FallbackLearningRate;
        var settings = Recipe.Training with { LearningRate = learningRate };
        var tasks = Recipe.Tasks.Where(task => !task.Retention)
            .Select(task => new StudyTaskPlan(task.Name, task.MaxSteps is { } steps ? settings with { MaxSteps = steps } : settings, learningRate, 0)
            {
                // An augmented task's questions are the task's sample, augmented once with the recipe's seed and shared by every study.
                Sample = task.AugmentVariants.Any(v => v.Count > 0) ? new TrainingSample(null, Recipe.Seed) : null,
            })
            .ToList();
        return new StudyPlan(
            label, adapter.Strategy, adapter.Options, PlanStudyTasks(tasks, Recipe.Seed), strategy.Plan, adapter.Spec.DisplayName, Recipe.Seed)
        {
            Configuration = label, Method = method, Choices = string.Join(" ", adapter.Combination.Choices),
        };
    }

    /// <summary>
    /// Task i's data order is seeded with <see cref="StudyPlan.TaskSeed"/>; a size of a training-size sweep is drawn with the
    /// study's seed, so each seed trains on its own sample.
    /// </summary>
    private static List<StudyTaskPlan> PlanStudyTasks(IReadOnlyList<StudyTaskPlan> tasks, int seed) =>
        tasks.Select((task, i) => task with
        {
            Seed = StudyPlan.TaskSeed(seed, i),
            Sample = task.Sample is { Size: not null } sample ? sample with { Seed = seed } : task.Sample,
        }).ToList();

    /// <summary>
    /// A configuration once per size of the recipe's training-size sweep ("lora n=64"), in the order the list gives; the
    /// configuration itself without a sweep.
    /// </summary>
    private IEnumerable<StudyPlan> WithTrainingSizes(StudyPlan configuration)
    {
        var swept = Recipe.Tasks.Where(t => !t.Retention).Select((task, i) => (task, i))
            .FirstOrDefault(t => t.task.MaxTrainExamples is { IsSearch: true });
        if (swept.task is null) return [configuration];
        return swept.task.MaxTrainExamples!.Values.Select(size => configuration with
        {
            Label = $"{configuration.Configuration} n={size}",
            Configuration = $"{configuration.Configuration} n={size}",
            TrainingSize = size,
            Tasks = configuration.Tasks
                .Select((task, i) => i != swept.i ? task
                    : task with { Sample = (task.Sample ?? new TrainingSample(null, Recipe.Seed)) with { Size = size } }).ToList(),
        });
    }

    /// <summary>
    /// A configuration once per augmentation list of a task that compares several ("lora aug=question-synonyms"), each
    /// compared with the first; the configuration itself otherwise.
    /// </summary>
    private IEnumerable<StudyPlan> WithAugmentations(StudyPlan configuration)
    {
        var trained = plannedTasks.Where(t => !t.Retention).ToList();
        int index = trained.FindIndex(t => t.AugmentVariants.Count > 1);
        if (index < 0) return [configuration];
        var task = trained[index];
        string Label(int k) => $"{configuration.Configuration} aug={task.VariantName(k)}";
        return Enumerable.Range(0, task.AugmentVariants.Count).Select(k => configuration with
        {
            Label = Label(k),
            Configuration = Label(k),
            ComparedWith = k == 0 ? null : Label(0),
            Tasks = configuration.Tasks.Select((t, i) => i == index ? t with { Sample = new TrainingSample(null, Recipe.Seed, k) } : t).ToList(),
        });
    }

    private List<TMetric> Require<TMetric>(IReadOnlyList<string> names, string path) where TMetric : class, IPeftQaPlugin
    {
        var found = new List<TMetric>();
        for (int i = 0; i < names.Count; i++)
        {
            int index = i;
            if (Try(() => (object)plugins.Require<TMetric>(names[index], At($"{path}[{index}]"))) is TMetric metric) found.Add(metric);
        }
        return found;
    }

    private object? BindOptions(IConfigurablePlugin plugin, JsonElement? json, string optionsPath)
    {
        var options = Try(() => PluginOptionsSchema.Bind(plugin, json, optionsPath));
        if (options is null)
        {
            // Bind reports paths without the file name; add it.
            for (int p = 0; p < problems.Count; p++)
                if (problems[p].StartsWith(optionsPath, StringComparison.Ordinal)) problems[p] = $"{loaded.DisplayPath}: {problems[p]}";
        }
        return options;
    }
}
