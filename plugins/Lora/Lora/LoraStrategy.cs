using PeftQa.Abstractions;

namespace PeftQa.Plugins.Lora;

/// <summary>
/// Low-rank adaptation: a trainable B A branch beside each targeted Linear, the base frozen, the QA head trained; with
/// <c>useDora</c> weight-decomposed (DoRA), with <c>loraPlusRatio</c> the LoRA+ learning rates.
/// </summary>
public sealed class LoraStrategy : AdapterStrategy<LoraOptions>
{
    /// <summary>The short names recipes may use; like PEFT, a name matches every Linear whose module name ends with it.</summary>
    public static readonly IReadOnlyList<string> KnownTargetModules =
        ["query", "key", "value", "dense", "attention.output.dense", "intermediate.dense", "output.dense", "all-linear"];

    private static readonly string[] BiasModes = ["none", "all", "lora_only"];
    private static int attachments;

    public override string Name => "lora";

    /// <summary>PEFT's examples and the AdaLoRA SQuAD runs use 1e-3 for LoRA; shorter runs prefer more (search it).</summary>
    public override double? RecommendedLearningRate => 1e-3;

    public override string Description =>
        "LoRA: trainable low-rank branches beside the attention (and optionally feed-forward) Linears, base frozen, with options for DoRA and LoRA+.";

    protected override IReadOnlyList<string> Validate(LoraOptions options, ModelDescription model)
    {
        var problems = new List<string>();
        if (options.R <= 0) problems.Add($"r: expected a positive integer, got {options.R}");
        else if (options.R > model.HiddenSize) problems.Add($"r: {options.R} exceeds the hidden size ({model.HiddenSize})");
        if (options.Alpha <= 0) problems.Add($"alpha: expected a positive number, got {options.Alpha}");
        if (options.Dropout is < 0 or >= 1) problems.Add($"dropout: expected 0 <= dropout < 1, got {options.Dropout}");
        if (options.TargetModules.Count == 0) problems.Add("targetModules: expected at least one module name");
        foreach (var module in options.TargetModules.Where(m => !KnownTargetModules.Contains(m)))
            problems.Add($"targetModules: unknown module '{module}'; expected one of {string.Join(", ", KnownTargetModules)}");
        if (!BiasModes.Contains(options.Bias))
            problems.Add($"bias: expected one of {string.Join(", ", BiasModes)}, got '{options.Bias}'");
        if (!(options.LoraPlusRatio > 0) || double.IsInfinity(options.LoraPlusRatio))
            problems.Add($"loraPlusRatio: expected a finite number > 0 (1 is plain LoRA, 16 the LoRA+ paper's choice), got {options.LoraPlusRatio}");
        return problems;
    }

    protected override AdapterTraits Traits(LoraOptions options) =>
        new() { TrainsBaseWeights = false, CanAttachSeveral = true, HasLoraFactors = true, Needs = ModelNeeds.LinearExtensions };

    /// <summary>The model's Linears that <paramref name="targets"/> select, PEFT's way (suffix match on module names).</summary>
    public static IReadOnlyList<IAdaptableLinear> SelectTargets(IAdaptableModel model, IReadOnlyList<string> targets) =>
        model.Linears.Where(l => targets.Contains("all-linear") || targets.Any(t => l.Key == t || l.Key.EndsWith("." + t, StringComparison.Ordinal)))
            .Select(l => l.Value).ToList();

    protected override IAdapter Attach(IAdaptableModel model, LoraOptions options)
    {
        var problems = Validate(options, model.Description);
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        var targets = SelectTargets(model, options.TargetModules);
        if (targets.Count == 0)
            throw new ArgumentException($"targetModules [{string.Join(", ", options.TargetModules)}] match no Linear of this model");

        var head = model.FreezeAllButHead().Select(p => p.Parameter).ToHashSet(ReferenceEqualityComparer.Instance);
        double scaling = options.UseRsLora ? options.Alpha / Math.Sqrt(options.R) : options.Alpha / options.R;
        string branchName = $"lora-{Interlocked.Increment(ref attachments)}";
        var branches = new List<LoraBranch>();
        foreach (var target in targets)
        {
            var branch = new LoraBranch(model, target, options.R, scaling, options.Dropout, options.UseDora, options.SingleProduct);
            target.AddExtension(branchName, branch);
            branches.Add(branch);
        }

        var targetNames = targets.Select(t => t.Name).ToHashSet();
        var extra = model.NamedParameters.Where(p =>
            head.Contains(p.Parameter)
            || (options.Bias == "all" && p.Name.EndsWith(".bias", StringComparison.Ordinal))
            || (options.Bias == "lora_only" && p.Name.EndsWith(".bias", StringComparison.Ordinal)
                && targetNames.Contains(p.Name[..^".bias".Length]))).ToList();
        foreach (var parameter in extra) parameter.Parameter.requires_grad = true;
        return new LoraAdapter(branchName, branches, extra, options, model.Description);
    }

    public override object? ReadSavedOptions(string directory)
    {
        if (PeftConfigFile.Read(directory, "LORA") is not { } config) return null;
        return new LoraOptions
        {
            R = PeftConfigFile.Value(config, "r", 8),
            Alpha = PeftConfigFile.Value(config, "lora_alpha", 8.0),
            Dropout = PeftConfigFile.Value(config, "lora_dropout", 0.0),
            TargetModules = PeftConfigFile.Names(config, "target_modules") ?? ["query", "value"],
            Bias = PeftConfigFile.Value(config, "bias", "none"),
            UseRsLora = PeftConfigFile.Value(config, "use_rslora", false),
            UseDora = PeftConfigFile.Value(config, "use_dora", false),
        };
    }
}
