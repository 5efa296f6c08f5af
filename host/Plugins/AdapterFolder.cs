using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Abstractions;
using PeftQa.Host.Recipes;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Plugins;

/// <summary>
/// A saved adapter: whatever the strategy's <see cref="IAdapter.Save"/> writes, plus <c>peftqa_adapter.json</c> naming the
/// strategy, its options and the base model, so <c>--adapter</c> can re-attach it without being told how.
/// </summary>
public static class AdapterFolder
{
    public const string DescriptorFile = "peftqa_adapter.json";

    public static void Save(IAdapter adapter, IAdapterStrategy strategy, object options, ModelDescription baseModel, string folder)
    {
        Directory.CreateDirectory(folder);
        adapter.Save(folder);
        var descriptor = new JsonObject
        {
            ["strategy"] = strategy.Name,
            ["base_model"] = baseModel.BaseModel,
            ["base_model_shape"] = Shape(baseModel),
            ["options"] = JsonSerializer.SerializeToNode(options, strategy.OptionsType, JsonShapeValidator.SerializerOptions),
        };
        AtomicFile.WriteAllText(Path.Combine(folder, DescriptorFile), descriptor.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Attaches the saved strategy to <paramref name="model"/> and loads its weights. A folder without peftqa's descriptor
    /// (for example one saved by Python PEFT) is offered to every strategy's <see cref="IAdapterStrategy.ReadSavedOptions"/>.
    /// An adapter made for a model of another shape, or whose files hold tensors this model has no place for, is refused
    /// unless <paramref name="ignoreMismatched"/>, which loads what fits and logs what did not.
    /// </summary>
    public static IAdapter Load(string folder, IAdaptableModel model, PluginCatalog plugins, bool ignoreMismatched = false, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        if (!Directory.Exists(folder))
            throw new BadInputException(File.Exists(folder)
                ? $"{folder}: is a file; --adapter takes the adapter's folder"
                : $"{folder}: adapter folder not found");
        var path = Path.Combine(folder, DescriptorFile);
        if (!File.Exists(path)) return LoadForeign(folder, model, plugins, ignoreMismatched, logger);
        JsonObject descriptor;
        try { descriptor = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new BadInputException($"{path}: expected a JSON object"); }
        catch (JsonException e) { throw new BadInputException($"{path}: not valid JSON: {e.Message}"); }
        string? strategyName;
        try { strategyName = descriptor["strategy"]?.GetValue<string>(); }
        catch (InvalidOperationException) { throw new BadInputException($"{path}: $.strategy: expected the strategy's name as a string"); }
        var strategy = plugins.Require<IAdapterStrategy>(
            strategyName ?? throw new BadInputException($"{path}: $.strategy: required field is missing"),
            $"{path}: $.strategy");
        CheckBaseModel(descriptor, path, model.Description, ignoreMismatched, logger);
        var optionsJson = descriptor["options"] is { } node ? JsonDocument.Parse(node.ToJsonString()).RootElement : (JsonElement?)null;
        var options = PluginOptionsSchema.Bind(strategy, optionsJson, $"{path}: $.options");
        return AttachAndLoad(strategy, options, folder, model, path, ignoreMismatched, logger);
    }

    /// <summary>A folder saved by another tool (Python PEFT): the strategy that recognises its config loads it.</summary>
    private static IAdapter LoadForeign(string folder, IAdaptableModel model, PluginCatalog plugins, bool ignoreMismatched, ILogger logger)
    {
        var peftConfig = Path.Combine(folder, PeftConfigFile);
        foreach (var candidate in plugins.OfType<IAdapterStrategy>().Select(p => (IAdapterStrategy)p.Instance))
        {
            object? savedOptions;
            try { savedOptions = candidate.ReadSavedOptions(folder); }
            catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException or ArgumentException)
            {
                throw new BadInputException(
                    $"{peftConfig}: adapter strategy '{candidate.Name}' recognises this folder but cannot read its settings: {e.Message}");
            }
            if (savedOptions is not null) return AttachAndLoad(candidate, savedOptions, folder, model, peftConfig, ignoreMismatched, logger);
        }
        if (!File.Exists(peftConfig))
            throw new BadInputException(
                $"{folder}: not an adapter folder: it has neither {DescriptorFile} (written by peftqa) nor {PeftConfigFile} (written by PEFT)");
        string? peftType;
        try { peftType = (JsonNode.Parse(File.ReadAllText(peftConfig)) as JsonObject)?["peft_type"]?.ToString(); }
        catch (JsonException e)
        {
            var reason = e.Message.Split(" Path:")[0].Split(" LineNumber:")[0];
            throw new BadInputException($"{peftConfig}: not valid JSON at line {(e.LineNumber ?? 0) + 1}: {reason}");
        }
        throw new BadInputException(peftType is null
            ? $"{peftConfig}: $.peft_type: missing; expected a PEFT adapter config naming its peft_type (LORA, IA3, PROMPT_TUNING, PREFIX_TUNING)"
            : $"{peftConfig}: $.peft_type: '{peftType}' is not supported by any loaded adapter strategy (see peftqa plugins list)");
    }

    /// <summary>The adapter records the shape of the model it was trained on; another shape means another base model.</summary>
    private static void CheckBaseModel(JsonObject descriptor, string path, ModelDescription model, bool ignoreMismatched, ILogger logger)
    {
        if (descriptor["base_model_shape"] is not JsonObject saved) return; // written before shapes were recorded
        var differences = JsonDifferences.Between(saved, Shape(model)).Select(d => $"{d.Path[2..]} {d.Change}").ToList();
        if (differences.Count == 0)
        {
            // Same shape, another name: a copy, a merged export or a fine-tuned model of the same base; worth a line, not a refusal.
            if (descriptor["base_model"]?.ToString() is { } name && !string.Equals(name, model.BaseModel, StringComparison.OrdinalIgnoreCase))
                logger.LogInformation("{Path}: trained on {Trained}; loading into {Model}, a model of the same shape", path, name, model.BaseModel);
            return;
        }
        var message = $"{path}: this adapter was trained on {descriptor["base_model"]}, a model of another shape than {model.BaseModel} " +
                      $"({string.Join(", ", differences)})";
        if (!ignoreMismatched)
            throw new BadInputException(message + "; use the model it was trained on, or pass --ignore-mismatched to load what fits");
        logger.LogWarning("{Message}; loading what fits, as --ignore-mismatched asks", message);
    }

    private static JsonObject Shape(ModelDescription model) => new()
    {
        ["num_hidden_layers"] = model.NumLayers,
        ["hidden_size"] = model.HiddenSize,
        ["num_attention_heads"] = model.NumAttentionHeads,
        ["intermediate_size"] = model.IntermediateSize,
        ["vocab_size"] = model.VocabSize,
    };

    private const string PeftConfigFile = "adapter_config.json";

    private static IAdapter AttachAndLoad(IAdapterStrategy strategy, object options, string folder, IAdaptableModel model, string describedBy,
        bool ignoreMismatched, ILogger logger)
    {
        var problems = strategy.Validate(options, model.Description);
        if (problems.Count > 0) throw new BadInputException(problems.Select(p => $"{describedBy}: {p}").ToList());
        var adapter = strategy.Attach(model, options);
        try
        {
            adapter.Load(folder);
        }
        catch (AdapterMismatchException e) when (ignoreMismatched)
        {
            logger.LogWarning("{Message}; ignored as --ignore-mismatched asks ({Count} tensors unused)", e.Message, e.UnexpectedTensors.Count);
        }
        catch (AdapterLoadException e)
        {
            adapter.Dispose();
            throw new BadInputException(e is AdapterMismatchException ? e.Message + " (pass --ignore-mismatched to load what fits)" : e.Message);
        }
        return adapter;
    }
}
