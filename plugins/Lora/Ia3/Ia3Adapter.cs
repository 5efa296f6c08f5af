using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Plugins.Lora;

/// <summary>
/// IA3 vectors on the targeted Linears of one model, plus the QA head (PEFT's modules_to_save). Saved in PEFT's layout
/// (adapter_config.json with peft_type "IA3", adapter_model.safetensors with keys such as
/// <c>base_model.model.bert.encoder.layer.0.attention.self.key.ia3_l</c>).
/// </summary>
public sealed class Ia3Adapter : IAdapter
{
    private readonly string extensionName;
    private readonly IReadOnlyList<Ia3Vector> vectors;
    private readonly Ia3Options options;
    private readonly ModelDescription model;
    private readonly List<(Tensor Weight, Tensor? Bias)> mergedDeltas = [];
    private bool enabled = true;

    internal Ia3Adapter(
        string extensionName, IReadOnlyList<Ia3Vector> vectors, IReadOnlyList<NamedParameter> head, Ia3Options options, ModelDescription model)
    {
        this.extensionName = extensionName;
        this.vectors = vectors;
        this.options = options;
        this.model = model;
        TrainableParameters = vectors.Select(v => new NamedParameter($"{v.Target.Name}.ia3_l", v.Scale)).Concat(head).ToList();
    }

    public string StrategyName => "ia3";

    public IReadOnlyList<NamedParameter> TrainableParameters { get; }

    public IReadOnlyList<Ia3Vector> Vectors => vectors;

    private bool Merged => mergedDeltas.Count > 0;

    public bool Enabled
    {
        get => enabled;
        set
        {
            if (Merged && !value) throw new InvalidOperationException("unmerge the adapter before disabling it");
            enabled = value;
            foreach (var vector in vectors) vector.Enabled = value && !Merged;
        }
    }

    public bool SupportsMerge => true;

    /// <summary>Scales the weights (and, where the output is scaled, the biases); the deltas are kept so unmerging is exact.</summary>
    public void Merge()
    {
        if (Merged) return;
        foreach (var vector in vectors)
        {
            var weight = vector.WeightDelta();
            var bias = vector.BiasDelta();
            vector.Target.MergeIntoWeight(weight);
            if (bias is not null) vector.Target.MergeIntoBias(bias);
            mergedDeltas.Add((weight, bias));
            vector.Enabled = false;
        }
    }

    public void Unmerge()
    {
        if (!Merged) return;
        for (int i = 0; i < vectors.Count; i++)
        {
            var (weight, bias) = mergedDeltas[i];
            vectors[i].Target.UnmergeFromWeight(weight);
            if (bias is not null) vectors[i].Target.UnmergeFromBias(bias);
            weight.Dispose();
            bias?.Dispose();
            vectors[i].Enabled = enabled;
        }
        mergedDeltas.Clear();
    }

    public void Save(string directory)
    {
        var tensors = TrainableParameters.Select(p => new KeyValuePair<string, Tensor>(LoraAdapter.PeftPrefix + p.Name, p.Parameter));
        SafeTensors.Save(Path.Combine(directory, LoraAdapter.WeightsFile), tensors, SafeTensors.Metadata(("format", "pt")));
        File.WriteAllText(Path.Combine(directory, LoraAdapter.ConfigFile),
            PeftConfig(options, model).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public void Load(string directory) =>
        AdapterFiles.LoadParameters(Path.Combine(directory, LoraAdapter.WeightsFile),
            TrainableParameters.Select(p => (LoraAdapter.PeftPrefix + p.Name, p.Parameter)),
            $"hidden {model.HiddenSize}, {vectors.Count} vectors", "made for another base model or target modules?");

    public void Dispose()
    {
        if (Merged) Unmerge();
        foreach (var vector in vectors)
        {
            vector.Target.RemoveExtension(extensionName);
            vector.Dispose();
        }
    }

    /// <summary>PEFT's IA3Config as JSON.</summary>
    public static JsonObject PeftConfig(Ia3Options options, ModelDescription model) => new()
    {
        ["peft_type"] = "IA3",
        ["task_type"] = "QUESTION_ANS",
        ["base_model_name_or_path"] = model.BaseModel,
        ["target_modules"] = new JsonArray(options.TargetModules.Select(t => (JsonNode?)t).ToArray()),
        ["feedforward_modules"] = new JsonArray(options.FeedforwardModules.Select(t => (JsonNode?)t).ToArray()),
        ["modules_to_save"] = new JsonArray(model.HeadModuleName),
        ["fan_in_fan_out"] = false,
        ["init_ia3_weights"] = true,
        ["inference_mode"] = true,
        ["revision"] = null,
    };
}
