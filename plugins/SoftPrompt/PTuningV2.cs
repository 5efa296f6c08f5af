using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Plugins.SoftPrompt;

/// <summary>P-tuning v2 (PEFT prefix tuning): trainable key/value prefixes in every layer; backbone frozen, QA head trained.</summary>
public sealed class PTuningV2Strategy : AdapterStrategy<PTuningV2Options>
{
    public override string Name => "p-tuning-v2";

    public override string Description => "P-tuning v2 (prefix tuning): trainable key/value prefixes in every self-attention layer; backbone frozen.";

    protected override IReadOnlyList<string> Validate(PTuningV2Options options, ModelDescription model)
    {
        var problems = new List<string>();
        if (options.PrefixLength <= 0) problems.Add($"prefixLength: expected a positive integer, got {options.PrefixLength}");
        if (options.ProjectionHiddenSize <= 0) problems.Add($"projectionHiddenSize: expected a positive integer, got {options.ProjectionHiddenSize}");
        if (options.PrefixDropout is < 0 or >= 1) problems.Add($"prefixDropout: expected 0 <= prefixDropout < 1, got {options.PrefixDropout}");
        return problems;
    }

    protected override IAdapter Attach(IAdaptableModel model, PTuningV2Options options)
    {
        var problems = Validate(options, model.Description);
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        if (model.AttentionPrefixes is not null) throw new InvalidOperationException("the model already has attention prefixes attached");
        foreach (var parameter in model.NamedParameters) parameter.Parameter.requires_grad = parameter.Name.StartsWith("qa_outputs.", StringComparison.Ordinal);
        var head = model.NamedParameters.Where(p => p.Name.StartsWith("qa_outputs.", StringComparison.Ordinal)).ToList();
        var adapter = new PTuningV2Adapter(model, options, head);
        model.AttentionPrefixes = adapter;
        return adapter;
    }

    public override object? ReadSavedOptions(string directory)
    {
        var config = PromptFiles.ReadConfig(directory, "PREFIX_TUNING");
        if (config is null) return null;
        return new PTuningV2Options
        {
            PrefixLength = config["num_virtual_tokens"]?.GetValue<int>() ?? 16,
            Reparameterize = config["prefix_projection"]?.GetValue<bool>() ?? false,
            ProjectionHiddenSize = config["encoder_hidden_size"]?.GetValue<int>() ?? 512,
        };
    }
}

/// <summary>
/// The prefixes of one attachment. Without reparameterization the trainable table is PEFT's prompt_embeddings
/// [n, layers x 2 x hidden]; with it, an embedding [n, hidden] passes through Linear, tanh, Linear to that size.
/// Each layer's key and value prefix is a slice of the table, shaped [batch, heads, n, head size].
/// </summary>
public sealed class PTuningV2Adapter : IAdapter, IAttentionPrefixSource
{
    private readonly IAdaptableModel model;
    private readonly PTuningV2Options options;
    private readonly Parameter table;
    private readonly (Parameter Weight, Parameter Bias)[] projection;
    private bool enabled = true;

    public PTuningV2Adapter(IAdaptableModel model, PTuningV2Options options, IReadOnlyList<NamedParameter> head)
    {
        this.model = model;
        this.options = options;
        var d = model.Description;
        var device = model.NamedParameters[0].Parameter.device;
        int width = d.NumLayers * 2 * d.HiddenSize;
        if (options.Reparameterize)
        {
            table = new Parameter(randn(options.PrefixLength, d.HiddenSize, device: device));
            projection = [Linear(d.HiddenSize, options.ProjectionHiddenSize, device), Linear(options.ProjectionHiddenSize, width, device)];
        }
        else
        {
            table = new Parameter(randn(options.PrefixLength, width, device: device));
            projection = [];
        }
        var trainable = new List<NamedParameter> { new("prompt_embeddings", table) };
        for (int i = 0; i < projection.Length; i++)
        {
            trainable.Add(new($"prompt_encoder.transform.{2 * i}.weight", projection[i].Weight));
            trainable.Add(new($"prompt_encoder.transform.{2 * i}.bias", projection[i].Bias));
        }
        trainable.AddRange(head);
        TrainableParameters = trainable;
    }

    public string StrategyName => "p-tuning-v2";

    public IReadOnlyList<NamedParameter> TrainableParameters { get; }

    public int Length => options.PrefixLength;

    public bool Enabled
    {
        get => enabled;
        set
        {
            enabled = value;
            // The model has one slot; disabling an adapter that does not hold it (another one was enabled since) leaves it alone.
            if (value) model.AttentionPrefixes = this;
            else if (ReferenceEquals(model.AttentionPrefixes, this)) model.AttentionPrefixes = null;
        }
    }

    public (Tensor Key, Tensor Value) Prefix(int layer, long batchSize)
    {
        var d = model.Description;
        Tensor values = table;
        if (projection.Length == 2)
            values = nn.functional.linear(nn.functional.linear(table, projection[0].Weight, projection[0].Bias).tanh(), projection[1].Weight, projection[1].Bias);
        if (options.PrefixDropout > 0) values = nn.functional.dropout(values, options.PrefixDropout, model.IsTraining);
        // [n, layers x 2 x hidden] -> this layer's key and value, each [batch, heads, n, head size].
        var perLayer = values.view(options.PrefixLength, d.NumLayers, 2, d.NumAttentionHeads, d.HeadSize);
        Tensor Part(int which) => perLayer.select(1, layer).select(1, which).permute(1, 0, 2).unsqueeze(0).expand(batchSize, -1, -1, -1);
        return (Part(0), Part(1));
    }

    public bool SupportsMerge => false;

    public void Merge() => throw new NotSupportedException("Prefixes cannot be merged into the weights.");

    public void Unmerge() => throw new NotSupportedException("Prefixes cannot be merged into the weights.");

    public void Save(string directory)
    {
        SafeTensors.Save(Path.Combine(directory, PromptFiles.WeightsFile),
            TrainableParameters.Select(p => new KeyValuePair<string, Tensor>(p.Name.StartsWith("qa_outputs.", StringComparison.Ordinal) ? PromptFiles.PeftPrefix + p.Name : p.Name, p.Parameter)));
        var d = model.Description;
        PromptFiles.WriteConfig(directory, new JsonObject
        {
            ["peft_type"] = "PREFIX_TUNING", ["task_type"] = "QUESTION_ANS", ["base_model_name_or_path"] = d.BaseModel,
            ["num_virtual_tokens"] = options.PrefixLength, ["token_dim"] = d.HiddenSize, ["num_transformer_submodules"] = 1,
            ["num_attention_heads"] = d.NumAttentionHeads, ["num_layers"] = d.NumLayers, ["encoder_hidden_size"] = options.ProjectionHiddenSize,
            ["prefix_projection"] = options.Reparameterize, ["modules_to_save"] = new JsonArray("qa_outputs"), ["inference_mode"] = true,
        });
    }

    public void Load(string directory) => PromptFiles.LoadInto(directory, TrainableParameters, model.Description);

    public void Dispose()
    {
        if (ReferenceEquals(model.AttentionPrefixes, this)) model.AttentionPrefixes = null;
        table.Dispose();
        foreach (var (weight, bias) in projection)
        {
            weight.Dispose();
            bias.Dispose();
        }
    }

    private static (Parameter Weight, Parameter Bias) Linear(int input, int output, Device device)
    {
        var weight = new Parameter(empty(output, input, device: device));
        nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        var bias = new Parameter(empty(output, device: device));
        double bound = 1 / Math.Sqrt(input);
        nn.init.uniform_(bias, -bound, bound);
        return (weight, bias);
    }
}
