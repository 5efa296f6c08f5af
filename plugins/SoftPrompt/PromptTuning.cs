using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Plugins.SoftPrompt;

/// <summary>Prompt tuning: n trainable virtual-token embeddings before the input; backbone frozen, QA head trained.</summary>
public sealed class PromptTuningStrategy : AdapterStrategy<PromptTuningOptions>
{
    private static readonly string[] InitModes = ["random", "vocab", "text"];

    public override string Name => "prompt-tuning";

    public override string Description => "Prompt tuning: trainable virtual tokens prepended to the input embeddings; backbone frozen.";

    protected override IReadOnlyList<string> Validate(PromptTuningOptions options, ModelDescription model)
    {
        var problems = new List<string>();
        if (options.VirtualTokens <= 0) problems.Add($"virtualTokens: expected a positive integer, got {options.VirtualTokens}");
        int room = model.MaxPositionEmbeddings - (model.SequenceLength ?? 0);
        if (options.VirtualTokens > room)
            problems.Add($"virtualTokens: {options.VirtualTokens} virtual tokens plus windows of {model.SequenceLength ?? 0} tokens exceed the model's " +
                         $"{model.MaxPositionEmbeddings} positions; use at most {Math.Max(0, room)} or lower maxSequenceLength");
        if (!InitModes.Contains(options.Init)) problems.Add($"init: expected one of {string.Join(", ", InitModes)}, got '{options.Init}'");
        if (options.Init == "text" && string.IsNullOrWhiteSpace(options.InitText)) problems.Add("initText: required when init is \"text\"");
        return problems;
    }

    protected override IAdapter Attach(IAdaptableModel model, PromptTuningOptions options)
    {
        var problems = Validate(options, model.Description);
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        if (model.VirtualTokens is not null) throw new InvalidOperationException("the model already has virtual tokens attached");
        var device = model.NamedParameters[0].Parameter.device;
        int n = options.VirtualTokens, hidden = model.Description.HiddenSize;
        Tensor initial;
        using (no_grad())
        {
            initial = options.Init switch
            {
                "random" => randn(n, hidden, device: device),
                "text" => FromText(model, options.InitText!, n, device),
                _ => model.EmbedTokens(randint(1000, model.Description.VocabSize, [n], dtype: ScalarType.Int64, device: device)).detach().clone(),
            };
        }
        foreach (var parameter in model.NamedParameters) parameter.Parameter.requires_grad = parameter.Name.StartsWith("qa_outputs.", StringComparison.Ordinal);
        var head = model.NamedParameters.Where(p => p.Name.StartsWith("qa_outputs.", StringComparison.Ordinal)).ToList();
        var adapter = new PromptTuningAdapter(model, new Parameter(initial), head, options);
        model.VirtualTokens = adapter;
        return adapter;
    }

    /// <summary>The text's token embeddings, repeated or cut to n (PEFT's TEXT init).</summary>
    private static Tensor FromText(IAdaptableModel model, string text, int n, Device device)
    {
        var ids = model.TokenIds(text);
        if (ids.Count == 0) throw new ArgumentException($"initText \"{text}\" has no tokens");
        var repeated = Enumerable.Range(0, n).Select(i => (long)ids[i % ids.Count]).ToArray();
        return model.EmbedTokens(tensor(repeated, device: device)).detach().clone();
    }

    public override object? ReadSavedOptions(string directory)
    {
        var config = PromptFiles.ReadConfig(directory, "PROMPT_TUNING");
        if (config is null) return null;
        return new PromptTuningOptions { VirtualTokens = config["num_virtual_tokens"]?.GetValue<int>() ?? 20, Init = "random" };
    }
}

/// <summary>The prompt embeddings of one attachment; disabling removes them from the model's input.</summary>
public sealed class PromptTuningAdapter(IAdaptableModel model, Parameter prompt, IReadOnlyList<NamedParameter> head, PromptTuningOptions options)
    : IAdapter, IVirtualTokenSource
{
    private bool enabled = true;

    public string StrategyName => "prompt-tuning";

    public IReadOnlyList<NamedParameter> TrainableParameters { get; } = [new("prompt_embeddings", prompt), .. head];

    public int Count => (int)prompt.shape[0];

    public Tensor Embeddings(long batchSize) => prompt.unsqueeze(0).expand(batchSize, -1, -1);

    public bool Enabled
    {
        get => enabled;
        set
        {
            enabled = value;
            // The model has one slot; disabling an adapter that does not hold it (another one was enabled since) leaves it alone.
            if (value) model.VirtualTokens = this;
            else if (ReferenceEquals(model.VirtualTokens, this)) model.VirtualTokens = null;
        }
    }

    public bool SupportsMerge => false;

    public void Merge() => throw new NotSupportedException("A soft prompt cannot be merged into the weights.");

    public void Unmerge() => throw new NotSupportedException("A soft prompt cannot be merged into the weights.");

    public void Save(string directory)
    {
        SafeTensors.Save(Path.Combine(directory, PromptFiles.WeightsFile),
            TrainableParameters.Select(p => new KeyValuePair<string, Tensor>(p.Name == "prompt_embeddings" ? p.Name : PromptFiles.PeftPrefix + p.Name, p.Parameter)));
        PromptFiles.WriteConfig(directory, new JsonObject
        {
            ["peft_type"] = "PROMPT_TUNING", ["task_type"] = "QUESTION_ANS", ["base_model_name_or_path"] = model.Description.BaseModel,
            ["num_virtual_tokens"] = options.VirtualTokens, ["token_dim"] = model.Description.HiddenSize, ["num_transformer_submodules"] = 1,
            ["num_attention_heads"] = model.Description.NumAttentionHeads, ["num_layers"] = model.Description.NumLayers,
            ["prompt_tuning_init"] = options.Init switch { "text" => "TEXT", "vocab" => "SAMPLE_VOCAB", _ => "RANDOM" },
            ["prompt_tuning_init_text"] = options.InitText, ["modules_to_save"] = new JsonArray("qa_outputs"), ["inference_mode"] = true,
        });
    }

    public void Load(string directory) => PromptFiles.LoadInto(directory, TrainableParameters, model.Description);

    public void Dispose()
    {
        if (ReferenceEquals(model.VirtualTokens, this)) model.VirtualTokens = null;
        prompt.Dispose();
    }
}

/// <summary>PEFT's file layout for soft prompts: adapter_config.json and adapter_model.safetensors.</summary>
internal static class PromptFiles
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";
    public const string PeftPrefix = "base_model.model.";

    public static void WriteConfig(string directory, JsonObject config) =>
        File.WriteAllText(Path.Combine(directory, ConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    public static JsonObject? ReadConfig(string directory, string peftType)
    {
        var path = Path.Combine(directory, ConfigFile);
        if (!File.Exists(path)) return null;
        try
        {
            var config = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            return config?["peft_type"]?.GetValue<string>() == peftType ? config : null;
        }
        catch (JsonException) { return null; }
    }

    /// <summary>Copies saved tensors into <paramref name="parameters"/>; a prompt from another model or strategy fails with what differs.</summary>
    public static void LoadInto(string directory, IReadOnlyList<NamedParameter> parameters, ModelDescription model) =>
        AdapterFiles.LoadParameters(Path.Combine(directory, WeightsFile),
            parameters.Select(p => (p.Name.StartsWith("qa_outputs.", StringComparison.Ordinal) ? PeftPrefix + p.Name : p.Name, p.Parameter)),
            $"hidden {model.HiddenSize}, {model.NumLayers} layers", "made for another base model, strategy or prompt length?");
}
