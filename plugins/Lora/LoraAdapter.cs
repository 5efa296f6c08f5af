using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Lora;

/// <summary>
/// LoRA pairs on the targeted Linears of one model, plus the QA head (PEFT's modules_to_save) and, per the bias option,
/// biases. Saved in PEFT's layout: adapter_config.json and adapter_model.safetensors with PEFT's key names, so the same
/// files load in Python PEFT on the same base model and PEFT's files load here.
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
    private bool enabled = true;
    private bool merged;

    internal LoraAdapter(string branchName, IReadOnlyList<LoraBranch> branches, IReadOnlyList<NamedParameter> extraTrainable, LoraOptions options, ModelDescription model)
    {
        this.branchName = branchName;
        this.branches = branches;
        extra = extraTrainable;
        this.options = options;
        this.model = model;
        TrainableParameters = branches
            .SelectMany(b => new[] { new NamedParameter($"{b.Target.Name}.lora_A.weight", b.A), new NamedParameter($"{b.Target.Name}.lora_B.weight", b.B) })
            .Concat(extraTrainable).ToList();
    }

    public string StrategyName => "lora";

    public IReadOnlyList<NamedParameter> TrainableParameters { get; }

    public IReadOnlyList<LoraBranch> Branches => branches;

    public bool Enabled
    {
        get => enabled;
        set
        {
            if (merged && !value) throw new InvalidOperationException("unmerge the adapter before disabling it");
            enabled = value;
            foreach (var branch in branches) branch.Enabled = value && !merged;
        }
    }

    public bool SupportsMerge => true;

    public void Merge()
    {
        if (merged) return;
        foreach (var branch in branches)
        {
            using var delta = branch.Delta();
            branch.Target.MergeIntoWeight(delta);
            branch.Enabled = false;
        }
        merged = true;
    }

    public void Unmerge()
    {
        if (!merged) return;
        foreach (var branch in branches)
        {
            using var delta = branch.Delta();
            branch.Target.UnmergeFromWeight(delta);
            branch.Enabled = enabled;
        }
        merged = false;
    }

    public void Save(string directory)
    {
        var tensors = TrainableParameters.Select(p => new KeyValuePair<string, Tensor>(PeftPrefix + p.Name, p.Parameter));
        SafeTensors.Save(Path.Combine(directory, WeightsFile), tensors, SafeTensors.Metadata(("format", "pt")));
        File.WriteAllText(Path.Combine(directory, ConfigFile), PeftConfig(options, model.BaseModel).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public void Load(string directory) =>
        AdapterFiles.LoadParameters(Path.Combine(directory, WeightsFile), TrainableParameters.Select(p => (PeftPrefix + p.Name, p.Parameter)),
            $"hidden {model.HiddenSize}, r {options.R}", "made for another base model, rank, target modules or bias setting?");

    public void Dispose()
    {
        if (merged) Unmerge();
        foreach (var branch in branches)
        {
            branch.Target.RemoveBranch(branchName);
            branch.Dispose();
        }
    }

    /// <summary>PEFT's LoraConfig as JSON.</summary>
    public static JsonObject PeftConfig(LoraOptions options, string baseModel) => new()
    {
        ["peft_type"] = "LORA",
        ["task_type"] = "QUESTION_ANS",
        ["base_model_name_or_path"] = baseModel,
        ["r"] = options.R,
        ["lora_alpha"] = options.Alpha,
        ["lora_dropout"] = options.Dropout,
        ["target_modules"] = new JsonArray(options.TargetModules.Select(t => (JsonNode?)t).ToArray()),
        ["bias"] = options.Bias,
        ["use_rslora"] = options.UseRsLora,
        ["use_dora"] = options.UseDora,
        ["modules_to_save"] = new JsonArray("qa_outputs"),
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
