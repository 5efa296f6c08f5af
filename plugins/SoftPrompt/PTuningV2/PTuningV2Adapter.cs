using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Plugins.SoftPrompt;

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
        var device = model.Device;
        int width = d.NumLayers * 2 * d.HiddenSize;
        if (options.Reparameterize)
        {
            table = new Parameter(randn(options.PrefixLength, d.HiddenSize, dtype: model.ParameterDType, device: device));
            projection = [Linear(d.HiddenSize, options.ProjectionHiddenSize, model), Linear(options.ProjectionHiddenSize, width, model)];
        }
        else
        {
            table = new Parameter(randn(options.PrefixLength, width, dtype: model.ParameterDType, device: device));
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
            values = nn.functional.linear(
                nn.functional.linear(table, projection[0].Weight, projection[0].Bias).tanh(), projection[1].Weight, projection[1].Bias);
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
            TrainableParameters.Select(p => new KeyValuePair<string, Tensor>(PromptFiles.PeftKey(p.Name, model.Description), p.Parameter)));
        var d = model.Description;
        PromptFiles.WriteConfig(directory, new JsonObject
        {
            ["peft_type"] = "PREFIX_TUNING", ["task_type"] = "QUESTION_ANS", ["base_model_name_or_path"] = d.BaseModel,
            ["num_virtual_tokens"] = options.PrefixLength, ["token_dim"] = d.HiddenSize, ["num_transformer_submodules"] = 1,
            ["num_attention_heads"] = d.NumAttentionHeads, ["num_layers"] = d.NumLayers, ["encoder_hidden_size"] = options.ProjectionHiddenSize,
            ["prefix_projection"] = options.Reparameterize, ["modules_to_save"] = new JsonArray(model.Description.HeadModuleName),
            ["inference_mode"] = true,
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

    private static (Parameter Weight, Parameter Bias) Linear(int input, int output, IAdaptableModel model)
    {
        var weight = new Parameter(empty(output, input, dtype: model.ParameterDType, device: model.Device));
        nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        var bias = new Parameter(empty(output, dtype: model.ParameterDType, device: model.Device));
        double bound = 1 / Math.Sqrt(input);
        nn.init.uniform_(bias, -bound, bound);
        return (weight, bias);
    }
}
