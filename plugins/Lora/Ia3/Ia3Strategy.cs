using PeftQa.Abstractions;

namespace PeftQa.Plugins.Lora;

/// <summary>
/// IA3 (Liu et al., 2022; Hugging Face PEFT <c>tuners/ia3</c>): learned vectors scale the keys, the values and the
/// feed-forward activations; the base is frozen, the QA head trained. The fewest trainable parameters of any method
/// here, and mergeable into the weights.
/// </summary>
public sealed class Ia3Strategy : AdapterStrategy<Ia3Options>
{
    private static int attachments;

    public override string Name => "ia3";

    /// <summary>The IA3 paper (T-Few) trains its scaling vectors at 3e-3.</summary>
    public override double? RecommendedLearningRate => 3e-3;

    public override string Description => "IA3: learned vectors scaling keys, values and feed-forward activations; base frozen, mergeable.";

    protected override IReadOnlyList<string> Validate(Ia3Options options, ModelDescription model)
    {
        var problems = new List<string>();
        if (options.TargetModules.Count == 0) problems.Add("targetModules: expected at least one module name");
        foreach (var module in options.TargetModules.Where(m => !LoraStrategy.KnownTargetModules.Contains(m)))
            problems.Add($"targetModules: unknown module '{module}'; expected one of {string.Join(", ", LoraStrategy.KnownTargetModules)}");
        foreach (var module in options.FeedforwardModules.Where(m => !options.TargetModules.Contains(m)))
            problems.Add($"feedforwardModules: '{module}' is not one of targetModules [{string.Join(", ", options.TargetModules)}]; " +
                         "every feed-forward module must be a target");
        return problems;
    }

    protected override AdapterTraits Traits(Ia3Options options) =>
        new() { TrainsBaseWeights = false, CanAttachSeveral = true, Needs = ModelNeeds.LinearExtensions };

    protected override IAdapter Attach(IAdaptableModel model, Ia3Options options)
    {
        var problems = Validate(options, model.Description);
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        var targets = LoraStrategy.SelectTargets(model, options.TargetModules);
        if (targets.Count == 0)
            throw new ArgumentException($"targetModules [{string.Join(", ", options.TargetModules)}] match no Linear of this model");

        var head = model.FreezeAllButHead();
        string extensionName = $"ia3-{Interlocked.Increment(ref attachments)}";
        var vectors = new List<Ia3Vector>();
        foreach (var target in targets)
        {
            // PEFT's test: a feed-forward name matches by suffix, as target names do.
            bool feedforward = options.FeedforwardModules.Any(f => target.Name.EndsWith(f, StringComparison.Ordinal));
            var vector = new Ia3Vector(model, target, feedforward);
            target.AddExtension(extensionName, vector);
            vectors.Add(vector);
        }
        return new Ia3Adapter(extensionName, vectors, head, options, model.Description);
    }

    public override object? ReadSavedOptions(string directory)
    {
        if (PeftConfigFile.Read(directory, "IA3") is not { } config) return null;
        var defaults = new Ia3Options();
        return new Ia3Options
        {
            TargetModules = PeftConfigFile.Names(config, "target_modules") ?? defaults.TargetModules,
            FeedforwardModules = PeftConfigFile.Names(config, "feedforward_modules") ?? defaults.FeedforwardModules,
        };
    }
}
