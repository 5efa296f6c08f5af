using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Training;

/// <summary>
/// Turns a recipe into a <see cref="RunPlan"/>, checking what needs plugins, data and the model's config: strategy and
/// metric names, strategy options (types and the strategy's own rules), data files. Every problem is reported at once,
/// each prefixed with the recipe file and JSON path.
/// </summary>
public static class RunPlanner
{
    public static RunPlan Plan(RecipeLoader.LoadedRecipe loaded, PluginCatalog plugins, string? dataRootOverride)
    {
        var recipe = loaded.Recipe;
        var problems = new List<string>();
        string At(string path) => $"{loaded.DisplayPath}: {path}";

        T? Try<T>(Func<T> step) where T : class
        {
            try { return step(); }
            catch (BadInputException e) { problems.AddRange(e.Problems); return null; }
        }

        var dataRoot = dataRootOverride ?? (recipe.DataRoot is null ? null : Path.GetFullPath(recipe.DataRoot, loaded.Directory));
        if (dataRoot is not null && !Directory.Exists(dataRoot))
            problems.Add($"data root not found: {dataRoot} (from {(dataRootOverride is null ? $"{At("$.dataRoot")}" : "--data-root or PEFTQA_DATA")})");

        var model = Try(() => ModelSources.Describe(recipe.Model, loaded.Directory, At("$.model")));
        if (model is not null)
        {
            Try(() => { ModelSources.Verify(recipe.Model, loaded.Directory, At("$.model")); return model; });
            if (recipe.Training.MaxSequenceLength > model.MaxPositionEmbeddings)
                problems.Add($"{At("$.training.maxSequenceLength")}: {recipe.Training.MaxSequenceLength} tokens is more than the model's " +
                             $"{model.MaxPositionEmbeddings} position embeddings (max_position_embeddings in its config); use at most {model.MaxPositionEmbeddings}");
        }

        var tasks = new List<TaskPlan>();
        for (int i = 0; i < recipe.Tasks.Count; i++)
        {
            var task = recipe.Tasks[i];
            var train = Try(() => DataSources.Resolve(task.Train, dataRoot, At($"$.tasks[{i}].train")));
            var eval = Try(() => DataSources.Resolve(task.Eval, dataRoot, At($"$.tasks[{i}].eval")));
            if (train is not null && eval is not null)
                tasks.Add(new TaskPlan(task.Name, train, eval, task.MaxTrainExamples, task.MaxEvalExamples, task.Split, task.MaxSteps));
        }

        var adapters = new List<(int Index, AdapterSpec Spec, IAdapterStrategy Strategy, object Options, bool Valid)>();
        for (int i = 0; i < recipe.Adapters.Count; i++)
        {
            var spec = recipe.Adapters[i];
            var strategy = Try(() => (object)plugins.Require<IAdapterStrategy>(spec.Strategy, At($"$.adapters[{i}].strategy"))) as IAdapterStrategy;
            if (strategy is null) continue;
            var options = BindOptions(strategy, spec.Options, $"$.adapters[{i}].options");
            if (options is null) continue;
            var optionProblems = model is null ? []
                : strategy.Validate(options, model with { SequenceLength = recipe.Training.MaxSequenceLength }).Select(p => $"{At($"$.adapters[{i}].options")}.{p}").ToList();
            problems.AddRange(optionProblems);
            adapters.Add((i, spec, strategy, options, optionProblems.Count == 0));
        }

        var continual = new List<(ContinualSpec Spec, ContinualPlan Plan, int Index)>();
        for (int k = 0; k < recipe.Continual.Count; k++)
        {
            var spec = recipe.Continual[k];
            var strategy = Try(() => (object)plugins.Require<IContinualStrategy>(spec.Strategy, At($"$.continual[{k}].strategy"))) as IContinualStrategy;
            if (strategy is null) continue;
            var options = BindOptions(strategy, spec.Options, $"$.continual[{k}].options");
            if (options is not null) continual.Add((spec, new ContinualPlan(spec.DisplayName, strategy, options), k));
        }

        // One study per (adapter, continual strategy) pair; a recipe with one continual strategy names studies after the adapters alone.
        var studies = new List<StudyPlan>();
        foreach (var (adapterIndex, continualIndex) in recipe.StudyPairs())
        {
            var adapter = adapters.FirstOrDefault(a => a.Index == adapterIndex);
            var (spec, plan, k) = continual.FirstOrDefault(c => c.Index == continualIndex);
            if (adapter.Strategy is null || plan is null) continue;
            if (model is not null && adapter.Valid)
            {
                problems.AddRange(plan.Strategy.Validate(plan.Options, adapter.Strategy.Traits(adapter.Options))
                    .Select(p => $"{At($"$.continual[{k}]")} ({plan.Label} with adapter '{adapter.Spec.DisplayName}'): {p}"));
            }
            studies.Add(new StudyPlan(recipe.StudyLabel(adapter.Spec, spec), adapter.Strategy, adapter.Options, tasks, adapter.Spec.LearningRate, plan, adapter.Spec.DisplayName));
        }
        if (problems.Count == 0 && studies.Count == 0) problems.Add($"{At("$.continual")}: no continual strategy runs with any adapter; check continual[].adapters");

        var metrics = new List<IMetric>();
        for (int i = 0; i < recipe.Evaluation.Metrics.Count; i++)
        {
            int index = i;
            if (Try(() => (object)plugins.Require<IMetric>(recipe.Evaluation.Metrics[index], At($"$.evaluation.metrics[{index}]"))) is IMetric metric)
                metrics.Add(metric);
        }

        var continualMetrics = new List<IContinualMetric>();
        for (int i = 0; i < recipe.Evaluation.ContinualMetrics.Count; i++)
        {
            int index = i;
            if (Try(() => (object)plugins.Require<IContinualMetric>(recipe.Evaluation.ContinualMetrics[index], At($"$.evaluation.continualMetrics[{index}]"))) is IContinualMetric metric)
                continualMetrics.Add(metric);
        }

        if (problems.Count > 0) throw new BadInputException(problems);
        return new RunPlan(recipe, loaded.DisplayPath, model!, dataRoot, tasks, EffectiveRecipe.Of(recipe, plugins), studies, metrics, continualMetrics);

        object? BindOptions(IConfigurablePlugin plugin, System.Text.Json.JsonElement? json, string optionsPath)
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
}
