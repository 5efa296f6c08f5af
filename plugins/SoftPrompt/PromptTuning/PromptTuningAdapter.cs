using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Plugins.SoftPrompt;

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
            TrainableParameters.Select(p => new KeyValuePair<string, Tensor>(PromptFiles.PeftKey(p.Name, model.Description), p.Parameter)));
        PromptFiles.WriteConfig(directory, new JsonObject
        {
            ["peft_type"] = "PROMPT_TUNING", ["task_type"] = "QUESTION_ANS", ["base_model_name_or_path"] = model.Description.BaseModel,
            ["num_virtual_tokens"] = options.VirtualTokens, ["token_dim"] = model.Description.HiddenSize, ["num_transformer_submodules"] = 1,
            ["num_attention_heads"] = model.Description.NumAttentionHeads, ["num_layers"] = model.Description.NumLayers,
            ["prompt_tuning_init"] = options.Init switch { "text" => "TEXT", "vocab" => "SAMPLE_VOCAB", _ => "RANDOM" },
            ["prompt_tuning_init_text"] = options.InitText, ["modules_to_save"] = new JsonArray(model.Description.HeadModuleName),
            ["inference_mode"] = true,
        });
    }

    public void Load(string directory) => PromptFiles.LoadInto(directory, TrainableParameters, model.Description);

    public void Dispose()
    {
        if (ReferenceEquals(model.VirtualTokens, this)) model.VirtualTokens = null;
        prompt.Dispose();
    }
}
