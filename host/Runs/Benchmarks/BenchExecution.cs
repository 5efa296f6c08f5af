using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Planning;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Training;

namespace PeftQa.Host.Runs.Benchmarks;

/// <summary>
/// <c>peftqa bench</c>'s entry point: inference and training-step throughput, MFU, the ratio to ONNX Runtime, each
/// strategy's step against full fine-tuning, and the SQuAD training speedup of the defaults; timed on the trainer's
/// real step (<see cref="TrainingStep"/>).
/// </summary>
public sealed class BenchExecution(TorchRuntime torch, PluginLoader pluginLoader, ExtraPluginFolders pluginFolders, ILogger<BenchExecution> logger)
{
    /// <exception cref="BadInputException">A bad shape, model, strategy name or data root, found before anything is measured.</exception>
    /// <exception cref="OperationCanceledException">A signal: bench stops before its next measure (it prints its figures only
    /// at the end, so nothing is lost but the figures not yet taken).</exception>
    public BenchReport Measure(BenchRequest request, CancellationToken cancellation)
    {
        CheckShape(request);
        var strategies = ResolveStrategies(request);
        var device = torch.Device;
        var squad = ReadSquadWindows(request);
        var precision = torch.Precision(request.Precision ?? new TrainingSettings().Precision);
        if (device.type != TorchSharp.DeviceType.CPU)
            logger.LogWarning("bench measures the CPU path; tensors stay on the CPU");
        var loaded = ModelSources.Load(request.Model, Directory.GetCurrentDirectory(), logger);
        using var model = loaded.Model;
        byte[]? onnx = request.Model.Equals(ModelSources.MiniLmL6, StringComparison.OrdinalIgnoreCase) ? BuiltinModels.ReadOnnx() : null;

        void Measuring(string what)
        {
            cancellation.ThrowIfCancellationRequested();
            logger.LogInformation("Measuring {Step}", what);
        }

        var training = TrainingLayout.Defaults(model.Config, precision.DType);
        var result = ThroughputBenchmark.Run(model, onnx, request.Batch, request.Length, request.Iterations, torch.Threads,
            torch.Fp32Route, training, Measuring);
        var strategySteps = MeasureStrategies(strategies, request, training, Measuring);
        double loraStepVsFull = strategySteps.FirstOrDefault(st => st.Strategy == "lora")?.RelativeToFull ?? double.NaN;
        double squadSpeedup = squad is null
            ? double.NaN
            : MeasureSquadSpeedup(model, squad.Value.Windows, squad.Value.PadId, training, Measuring);
        return new BenchReport(result, strategySteps, loraStepVsFull, squadSpeedup, precision, torch.Fp32Route, CpuFlags.SpeedRelevantHere());
    }

    /// <summary>
    /// <c>--profile</c>: each strategy's training step (LoRA r 8 on query and value, others their defaults) split by phase
    /// and op, in fp32 and in bf16, or only in --precision's resolution when it is given. Where bf16 is only emulated
    /// its steps take minutes, so they are profiled once each.
    /// </summary>
    /// <exception cref="BadInputException">A bad shape, model or strategy name, found before anything is measured.</exception>
    public ProfileReport Profile(BenchRequest request, CancellationToken cancellation)
    {
        CheckShape(request);
        var strategies = ResolveStrategies(request);
        var precisions = (request.Precision is { } asked ? [asked] : new[] { Precision.Fp32, Precision.Bf16 })
            .Select(p => ComputePrecision.Resolve(p, torch.Bf16, null, torch.Fp32Route)).DistinctBy(p => p.Used).ToList();
        var steps = new List<StepProfile>();
        foreach (var precision in precisions)
        {
            torch.Apply(precision);
            int iterations = precision.Slow ? 1 : request.Iterations;
            foreach (var strategy in strategies)
            {
                cancellation.ThrowIfCancellationRequested();
                logger.LogInformation("Profiling a training step with {Strategy} in {Precision} ({Iterations} profiled)",
                    strategy.Name, ComputePrecision.Name(precision.Used), iterations);
                var loaded = ModelSources.Load(request.Model, Directory.GetCurrentDirectory(), logger);
                using var model = loaded.Model;
                using var adapter = strategy.Attach(model, BenchOptions(strategy));
                steps.Add(StepProfiler.Profile(model, adapter.TrainableParameters, strategy.Name, precision.DType, request.Batch, request.Length,
                    iterations));
            }
        }
        return new ProfileReport(request.Model, request.Batch, request.Length, steps, torch.Fp32Route, CpuFlags.SpeedRelevantHere());
    }

    private static void CheckShape(BenchRequest request)
    {
        if (request.Batch < 1 || request.Length < 8 || request.Iterations < 1)
            throw new BadInputException("--batch and --iterations must be at least 1 and --length at least 8");
        var description = ModelSources.Describe(request.Model, Directory.GetCurrentDirectory(), "--model");
        if (request.Length > description.MaxPositionEmbeddings)
            throw new BadInputException($"--length {request.Length}: {request.Model} has {description.MaxPositionEmbeddings} position embeddings, " +
                                        $"so at most {description.MaxPositionEmbeddings} tokens per example");
    }

    /// <summary>
    /// Training windows/s on 256 real SQuAD training windows (a seeded sample), the defaults (grouped by length, attention
    /// dropout 0, auto precision) over the old behaviour (plain shuffled batches, attention dropout 0.1, fp32); NaN without a data root.
    /// </summary>
    private double MeasureSquadSpeedup(
        BertForQuestionAnswering model, IReadOnlyList<QaFeature> windows, int padId, TrainingLayout now, Action<string> measuring)
    {
        var before = new TrainingLayout(GroupByLength: false, AttentionDropout: 0.1);
        measuring($"SQuAD training on {windows.Count} windows, before: {before}");
        double old = TrainingSpeedup.WindowsPerSecond(model, windows, padId, before);
        measuring($"SQuAD training on {windows.Count} windows, the defaults: {now}");
        double current = TrainingSpeedup.WindowsPerSecond(model, windows, padId, now);
        logger.LogInformation("SQuAD training: {Old:F2} windows/s before, {Now:F2} now", old, current);
        return current / old;
    }

    /// <summary>
    /// 256 windows of a seeded sample of SQuAD v1.1 training questions, read before anything is measured; null without a
    /// data root.
    /// </summary>
    private (IReadOnlyList<QaFeature> Windows, int PadId)? ReadSquadWindows(BenchRequest request)
    {
        if (request.DataRoot is not { } root) return null;
        var path = Path.Combine(WritableFolder.FullPath(root, "--data-root"), "squad-v1.1", "train.json");
        if (!File.Exists(path))
            throw new BadInputException($"--data-root {root}: {path} not found (squadTrainingSpeedup reads SQuAD v1.1 training windows)");
        var tokenizer = new BertTokenizer(ModelSources.VocabularyPath(request.Model, Directory.GetCurrentDirectory(), logger));
        var training = new TrainingSettings();
        var examples = TaskDataLoader.Limit(DataSources.Load(path), 300, seed: 42).Examples;
        var windows = new FeatureBuilder(tokenizer, training.MaxSequenceLength, training.DocStride).Build(examples).Take(256).ToList();
        if (windows.Count == 0) throw new BadInputException($"--data-root {root}: {path} has no usable training questions");
        return (windows, tokenizer.PadId);
    }

    /// <summary>
    /// The strategies to time: full fine-tuning first, LoRA (for loraStepVsFull) where the plugin is loaded, then the
    /// ones --strategies names; unknown names are refused before anything is measured.
    /// </summary>
    private List<IAdapterStrategy> ResolveStrategies(BenchRequest request)
    {
        var names = (request.Strategies ?? []).Prepend("lora").ToList();
        var plugins = pluginLoader.Load(PluginRoots.For(pluginFolders.Folders, []));
        var problems = new List<string>();
        var strategies = new List<IAdapterStrategy>();
        foreach (var name in names.Prepend("full").Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (name == "lora"
                && request.Strategies?.Contains("lora", StringComparer.OrdinalIgnoreCase) != true
                && plugins.Find<IAdapterStrategy>(name) is null) continue;
            try { strategies.Add(plugins.Require<IAdapterStrategy>(name, $"--strategies {name}")); }
            catch (BadInputException e) { problems.AddRange(e.Problems); }
        }
        if (problems.Count > 0) throw new BadInputException(problems);
        return strategies;
    }

    /// <summary>
    /// LoRA as loraStepVsFull is defined, r 8 on query and value (not the recipe default, r 16 on every linear layer);
    /// any other strategy with its default options.
    /// </summary>
    private static object BenchOptions(IAdapterStrategy strategy)
    {
        if (strategy.Name != "lora" || strategy is not IConfigurablePlugin configurable) return Activator.CreateInstance(strategy.OptionsType)!;
        using var options = System.Text.Json.JsonDocument.Parse("""{ "r": 8, "targetModules": ["query", "value"] }""");
        return PluginOptionsSchema.Bind(configurable, options.RootElement.Clone(), "$");
    }

    /// <summary>
    /// Training-step time per adapter strategy (LoRA r 8 on query and value, others their defaults), each on a fresh copy
    /// of the model laid out as the recipe defaults train (dropouts, auto precision).
    /// </summary>
    private List<StrategyStep> MeasureStrategies(
        IReadOnlyList<IAdapterStrategy> strategies, BenchRequest request, TrainingLayout layout, Action<string> measuring)
    {
        if (strategies.Count == 0) return [];
        var steps = new List<(string Name, long Trainable, double Percent, double Seconds)>();
        foreach (var strategy in strategies)
        {
            measuring($"a training step with {strategy.Name}");
            var loaded = ModelSources.Load(request.Model, Directory.GetCurrentDirectory(), logger);
            using var model = loaded.Model;
            using var adapter = strategy.Attach(model, BenchOptions(strategy));
            long trainable = adapter.TrainableParameters.Sum(p => p.Parameter.numel());
            long total = model.NamedParameters.Sum(p => p.Parameter.numel());
            double seconds = ThroughputBenchmark.TrainingStepSeconds(
                model, adapter.TrainableParameters, request.Batch, request.Length, layout, request.Iterations);
            steps.Add((strategy.Name, trainable, 100.0 * trainable / total, seconds));
        }
        double full = steps[0].Seconds;
        return steps.Select(s => new StrategyStep(s.Name, s.Trainable, s.Percent, s.Seconds, s.Seconds / full)).ToList();
    }
}
