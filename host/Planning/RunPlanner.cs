using System.Text.Json;
using PeftQa.Abstractions;
using PeftQa.Host.Continual;
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

    private RunPlanner(RecipeLoader.LoadedRecipe loaded, PluginCatalog plugins)
    {
        this.loaded = loaded;
        this.plugins = plugins;
    }

    private Recipe Recipe => loaded.Recipe;

    /// <exception cref="BadInputException">Every problem found, each naming the recipe file and JSON path.</exception>
    public static RunPlan Plan(RecipeLoader.LoadedRecipe loaded, PluginCatalog plugins, string? dataRootOverride) =>
        new RunPlanner(loaded, plugins).Plan(dataRootOverride);

    private RunPlan Plan(string? dataRootOverride)
    {
        var dataRoot = DataRoot(dataRootOverride);
        var model = DescribeModel();
        var tasks = PlanTasks(dataRoot);
        var adapters = PlanAdapters(model);
        var continual = PlanContinualStrategies();
        var studies = PlanStudies(adapters, continual, model is not null);
        var metrics = Require<IMetric>(Recipe.Evaluation.Metrics, "$.evaluation.metrics");
        var continualMetrics = Require<IContinualMetric>(Recipe.Evaluation.ContinualMetrics, "$.evaluation.continualMetrics");
        if (problems.Count > 0) throw new BadInputException(problems);
        return new RunPlan(Recipe, loaded.DisplayPath, model!, dataRoot, tasks, EffectiveRecipe.Of(Recipe, plugins), studies, metrics, continualMetrics);
    }

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
            problems.Add($"data root not found: {dataRoot} (from {(dataRootOverride is null ? $"{At("$.dataRoot")}" : "--data-root or PEFTQA_DATA")})");
        return dataRoot;
    }

    private ModelDescription? DescribeModel()
    {
        var model = Try(() => ModelSources.Describe(Recipe.Model, loaded.Directory, At("$.model")));
        if (model is null) return null;
        Try(() => { ModelSources.Verify(Recipe.Model, loaded.Directory, At("$.model")); return model; });
        if (Recipe.Training.MaxSequenceLength > model.MaxPositionEmbeddings)
            problems.Add($"{At("$.training.maxSequenceLength")}: {Recipe.Training.MaxSequenceLength} tokens is more than the model's " +
                         $"{model.MaxPositionEmbeddings} position embeddings (max_position_embeddings in its config); use at most {model.MaxPositionEmbeddings}");
        return model;
    }

    private List<TaskPlan> PlanTasks(string? dataRoot)
    {
        var tasks = new List<TaskPlan>();
        for (int i = 0; i < Recipe.Tasks.Count; i++)
        {
            var task = Recipe.Tasks[i];
            var train = Try(() => DataSources.Resolve(task.Train, dataRoot, At($"$.tasks[{i}].train")));
            var eval = Try(() => DataSources.Resolve(task.Eval, dataRoot, At($"$.tasks[{i}].eval")));
            if (train is not null && eval is not null)
                tasks.Add(new TaskPlan(task.Name, train, eval, task.MaxTrainExamples, task.MaxEvalExamples, task.Split));
        }
        return tasks;
    }

    private sealed record PlannedAdapter(int Index, AdapterSpec Spec, IAdapterStrategy Strategy, object Options, bool Valid);

    private List<PlannedAdapter> PlanAdapters(ModelDescription? model)
    {
        var adapters = new List<PlannedAdapter>();
        for (int i = 0; i < Recipe.Adapters.Count; i++)
        {
            var spec = Recipe.Adapters[i];
            var strategy = Try(() => (object)plugins.Require<IAdapterStrategy>(spec.Strategy, At($"$.adapters[{i}].strategy"))) as IAdapterStrategy;
            if (strategy is null || BindOptions(strategy, spec.Options, $"$.adapters[{i}].options") is not { } options) continue;
            var optionProblems = model is null ? []
                : strategy.Validate(options, model with { SequenceLength = Recipe.Training.MaxSequenceLength }).Select(p => $"{At($"$.adapters[{i}].options")}.{p}").ToList();
            problems.AddRange(optionProblems);
            adapters.Add(new PlannedAdapter(i, spec, strategy, options, optionProblems.Count == 0));
        }
        return adapters;
    }

    private sealed record PlannedContinual(int Index, ContinualSpec Spec, ContinualPlan Plan);

    private List<PlannedContinual> PlanContinualStrategies()
    {
        var continual = new List<PlannedContinual>();
        for (int k = 0; k < Recipe.Continual.Count; k++)
        {
            var spec = Recipe.Continual[k];
            var strategy = Try(() => (object)plugins.Require<IContinualStrategy>(spec.Strategy, At($"$.continual[{k}].strategy"))) as IContinualStrategy;
            if (strategy is not null && BindOptions(strategy, spec.Options, $"$.continual[{k}].options") is { } options)
                continual.Add(new PlannedContinual(k, spec, new ContinualPlan(spec.DisplayName, strategy, options)));
        }
        return continual;
    }

    /// <summary>
    /// One study per (adapter, continual strategy) pair and seed; a recipe with one continual strategy names studies after
    /// the adapters alone, and one with several seeds adds " seed N".
    /// </summary>
    private List<StudyPlan> PlanStudies(List<PlannedAdapter> adapters, List<PlannedContinual> continual, bool modelKnown)
    {
        var studies = new List<StudyPlan>();
        foreach (var (adapterIndex, continualIndex) in Recipe.StudyPairs())
        {
            var adapter = adapters.FirstOrDefault(a => a.Index == adapterIndex);
            var strategy = continual.FirstOrDefault(c => c.Index == continualIndex);
            if (adapter is null || strategy is null) continue;
            if (modelKnown && adapter.Valid)
                problems.AddRange(strategy.Plan.Strategy.Validate(strategy.Plan.Options, adapter.Strategy.Traits(adapter.Options) with { Strategy = adapter.Strategy.Name })
                    .Select(p => $"{At($"$.continual[{strategy.Index}]")} ({strategy.Plan.Label} with adapter '{adapter.Spec.DisplayName}'): {p}"));
            var configuration = Recipe.StudyLabel(adapter.Spec, strategy.Spec);
            foreach (var seed in Recipe.StudySeeds)
                studies.Add(new StudyPlan(Recipe.SeededLabel(configuration, seed), adapter.Strategy, adapter.Options, PlanStudyTasks(adapter.Spec, seed),
                    strategy.Plan, adapter.Spec.DisplayName, seed) { Configuration = configuration });
        }
        if (problems.Count == 0 && studies.Count == 0) problems.Add($"{At("$.continual")}: no continual strategy runs with any adapter; check continual[].adapters");
        return studies;
    }

    /// <summary>The effective settings per task: the recipe's training settings, the adapter's learning rate, the task's steps; task i's data order is seeded with seed + i.</summary>
    private List<StudyTaskPlan> PlanStudyTasks(AdapterSpec adapter, int seed)
    {
        var settings = adapter.LearningRate is { } rate ? Recipe.Training with { LearningRate = rate } : Recipe.Training;
        return Recipe.Tasks.Select((task, i) =>
            new StudyTaskPlan(task.Name, task.MaxSteps is { } steps ? settings with { MaxSteps = steps } : settings, seed + i)).ToList();
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
