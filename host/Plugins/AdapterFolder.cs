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

    /// <summary>Attaches the saved strategy to <paramref name="model"/> and loads its weights.</summary>
    public static IAdapter Load(string folder, IAdaptableModel model, PluginCatalog plugins)
    {
        var path = Path.Combine(folder, DescriptorFile);
        if (!File.Exists(path)) throw new BadInputException($"{path}: not found (an adapter folder written by peftqa has {DescriptorFile})");
        JsonObject descriptor;
        try { descriptor = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new BadInputException($"{path}: expected a JSON object"); }
        catch (JsonException e) { throw new BadInputException($"{path}: not valid JSON: {e.Message}"); }
        var strategyName = descriptor["strategy"]?.GetValue<string>() ?? throw new BadInputException($"{path}: $.strategy: required field is missing");
        var strategy = plugins.Require<IAdapterStrategy>(strategyName, $"{path}: $.strategy");
        var optionsJson = descriptor["options"] is { } node ? JsonDocument.Parse(node.ToJsonString()).RootElement : (JsonElement?)null;
        var options = PluginOptionsSchema.Bind(strategy, optionsJson, $"{path}: $.options");
        var problems = strategy.Validate(options, model.Description);
        if (problems.Count > 0) throw new BadInputException(problems.Select(p => $"{path}: $.options.{p}").ToList());
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
