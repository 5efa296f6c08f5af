using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Lora;

/// <summary>
/// LoRA pairs (with DoRA, also magnitude vectors) on the targeted Linears of one model, plus the QA head (PEFT's
/// modules_to_save) and, per the bias option, biases. With LoRA+ the B matrices and the 1-D parameters carry a higher
/// learning-rate scale, grouped as PEFT's <c>create_loraplus_optimizer</c> groups them. Saved in PEFT's layout:
/// adapter_config.json and adapter_model.safetensors with PEFT's key names, so the same files load in Python PEFT on the
/// same base model and PEFT's files load here.
/// </summary>
public sealed class LoraAdapter : IAdapter
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";
    public const string PeftPrefix = "base_model.model.";

    private readonly string branchName;
    private readonly IReadOnlyList<LoraBranch> branches;
    private readonly IReadOnlyList<NamedParameter> extra;
    private readonly LoraOptions options;
    private readonly ModelDescription model;
    private readonly List<Tensor> mergedDeltas = [];
    private bool enabled = true;

    internal LoraAdapter(
        string branchName, IReadOnlyList<LoraBranch> branches, IReadOnlyList<NamedParameter> extraTrainable, LoraOptions options,
        ModelDescription model)
    {
        this.branchName = branchName;
        this.branches = branches;
        extra = extraTrainable;
        this.options = options;
        this.model = model;
        TrainableParameters = branches.SelectMany(BranchParameters).Concat(extraTrainable)
            .Select(p => p with { LearningRateScale = LoraPlusScale(p) }).ToList();
    }

    private static IEnumerable<NamedParameter> BranchParameters(LoraBranch branch)
    {
        yield return new NamedParameter($"{branch.Target.Name}.lora_A.weight", branch.A);
        yield return new NamedParameter($"{branch.Target.Name}.lora_B.weight", branch.B);
        if (branch.Magnitude is { } magnitude) yield return new NamedParameter($"{branch.Target.Name}.lora_magnitude_vector", magnitude);
    }

    /// <summary>PEFT's LoRA+ groups: B matrices and every 1-D parameter at ratio times the learning rate, the rest at it.</summary>
    private double LoraPlusScale(NamedParameter parameter) =>
        parameter.Name.EndsWith(".lora_B.weight", StringComparison.Ordinal) || parameter.Parameter.dim() == 1 ? options.LoraPlusRatio : 1;

    public string StrategyName => "lora";

    public IReadOnlyList<NamedParameter> TrainableParameters { get; }

    public IReadOnlyList<LoraBranch> Branches => branches;

    public bool Enabled
    {
        get => enabled;
        set
        {
            if (Merged && !value) throw new InvalidOperationException("unmerge the adapter before disabling it");
            enabled = value;
            foreach (var branch in branches) branch.Enabled = value && !Merged;
        }
    }

    public bool SupportsMerge => true;

    private bool Merged => mergedDeltas.Count > 0;

    /// <summary>Adds each branch's merge delta to its weight and keeps the deltas, so unmerging subtracts exactly what was added.</summary>
    public void Merge()
    {
        if (Merged) return;
        foreach (var branch in branches)
        {
            var delta = branch.MergeDelta();
            branch.Target.MergeIntoWeight(delta);
            mergedDeltas.Add(delta);
            branch.Enabled = false;
        }
    }

    public void Unmerge()
    {
        if (!Merged) return;
        for (int i = 0; i < branches.Count; i++)
        {
            branches[i].Target.UnmergeFromWeight(mergedDeltas[i]);
            mergedDeltas[i].Dispose();
            branches[i].Enabled = enabled;
        }
        mergedDeltas.Clear();
    }

    public void Save(string directory)
    {
        var tensors = TrainableParameters.Select(p => new KeyValuePair<string, Tensor>(PeftPrefix + p.Name, p.Parameter));
        SafeTensors.Save(Path.Combine(directory, WeightsFile), tensors, SafeTensors.Metadata(("format", "pt")));
        File.WriteAllText(Path.Combine(directory, ConfigFile),
            PeftConfig(options, model).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public void Load(string directory) =>
        AdapterFiles.LoadParameters(Path.Combine(directory, WeightsFile), TrainableParameters.Select(p => (PeftPrefix + p.Name, p.Parameter)),
            $"hidden {model.HiddenSize}, r {options.R}", "made for another base model, rank, target modules or bias setting?");

    public void Dispose()
    {
        if (Merged) Unmerge();
        foreach (var branch in branches)
        {
            branch.Target.RemoveExtension(branchName);
            branch.Dispose();
        }
    }

    /// <summary>PEFT's LoraConfig as JSON.</summary>
    public static JsonObject PeftConfig(LoraOptions options, ModelDescription model) => new()
    {
        ["peft_type"] = "LORA",
        ["task_type"] = "QUESTION_ANS",
        ["base_model_name_or_path"] = model.BaseModel,
        ["r"] = options.R,
        ["lora_alpha"] = options.Alpha,
        ["lora_dropout"] = options.Dropout,
        ["target_modules"] = new JsonArray(options.TargetModules.Select(t => (JsonNode?)t).ToArray()),
        ["bias"] = options.Bias,
        ["use_rslora"] = options.UseRsLora,
        ["use_dora"] = options.UseDora,
        ["modules_to_save"] = new JsonArray(model.HeadModuleName),
        ["fan_in_fan_out"] = false,
        ["init_lora_weights"] = true,
        ["inference_mode"] = true,
        ["layers_to_transform"] = null,
        ["layers_pattern"] = null,
        ["rank_pattern"] = new JsonObject(),
        ["alpha_pattern"] = new JsonObject(),
        ["revision"] = null,
    };
}
