using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using PeftQa.Host.Cli;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Plugins;

/// <summary>
/// A saved adapter: whatever the strategy's <see cref="IAdapter.Save"/> writes, plus <c>peftqa_adapter.json</c> naming the
/// strategy, its options and the base model, so <c>--adapter</c> can re-attach it without being told how.
/// </summary>
public static class AdapterFolder
{
    public const string DescriptorFile = "peftqa_adapter.json";

    public static void Save(IAdapter adapter, IAdapterStrategy strategy, object options, string baseModel, string folder)
    {
        Directory.CreateDirectory(folder);
        adapter.Save(folder);
        var descriptor = new JsonObject
        {
            ["strategy"] = strategy.Name,
            ["base_model"] = baseModel,
            ["options"] = JsonSerializer.SerializeToNode(options, strategy.OptionsType, JsonShapeValidator.SerializerOptions),
        };
        File.WriteAllText(Path.Combine(folder, DescriptorFile), descriptor.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Attaches the saved strategy to <paramref name="model"/> and loads its weights. A folder without peftqa's descriptor
    /// (for example one saved by Python PEFT) is offered to every strategy's <see cref="IAdapterStrategy.ReadSavedOptions"/>.
    /// </summary>
    public static IAdapter Load(string folder, IAdaptableModel model, PluginCatalog plugins)
    {
        if (!Directory.Exists(folder)) throw new BadInputException($"{folder}: adapter folder not found");
        var path = Path.Combine(folder, DescriptorFile);
        if (!File.Exists(path))
        {
            foreach (var candidate in plugins.OfType<IAdapterStrategy>().Select(p => (IAdapterStrategy)p.Instance))
                if (candidate.ReadSavedOptions(folder) is { } savedOptions)
                    return AttachAndLoad(candidate, savedOptions, folder, model, Path.Combine(folder, "adapter_config.json"));
            throw new BadInputException($"{folder}: not an adapter folder: no {DescriptorFile}, and no strategy recognises its files (PEFT's adapter_config.json with a supported peft_type)");
        }
        JsonObject descriptor;
        try { descriptor = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new BadInputException($"{path}: expected a JSON object"); }
        catch (JsonException e) { throw new BadInputException($"{path}: not valid JSON: {e.Message}"); }
        var strategyName = descriptor["strategy"]?.GetValue<string>() ?? throw new BadInputException($"{path}: $.strategy: required field is missing");
        var strategy = plugins.Require<IAdapterStrategy>(strategyName, $"{path}: $.strategy");
        var optionsJson = descriptor["options"] is { } node ? JsonDocument.Parse(node.ToJsonString()).RootElement : (JsonElement?)null;
        var options = PluginOptionsSchema.Bind(strategy, optionsJson, $"{path}: $.options");
        return AttachAndLoad(strategy, options, folder, model, path);
    }

    private static IAdapter AttachAndLoad(IAdapterStrategy strategy, object options, string folder, IAdaptableModel model, string describedBy)
    {
        var problems = strategy.Validate(options, model.Description);
        if (problems.Count > 0) throw new BadInputException(problems.Select(p => $"{describedBy}: {p}").ToList());
        var adapter = strategy.Attach(model, options);
        try
        {
            adapter.Load(folder);
        }
        catch (AdapterLoadException e)
        {
            adapter.Dispose();
            throw new BadInputException(e.Message);
        }
        return adapter;
    }
}
