using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Plugins;

namespace PeftQa.Host.Recipes;

/// <summary>
/// A recipe as it takes effect: every field with its value or default, and each plugin's options bound by the plugin
/// (omitted options filled in with the plugin's defaults). The run folder's <c>recipe.json</c> holds it, and
/// <c>--resume</c> compares it field by field, so <c>"r": 8</c> and an omitted <c>r</c> count as the same.
/// </summary>
public static class EffectiveRecipe
{
    public static JsonObject Of(Recipe recipe, PluginCatalog plugins)
    {
        var json = JsonSerializer.SerializeToNode(recipe, JsonShapeValidator.SerializerOptions)!.AsObject();
        for (int i = 0; i < recipe.Adapters.Count; i++)
            json["adapters"]![i]!["options"] = BoundOptions(plugins.Find<IAdapterStrategy>(recipe.Adapters[i].Strategy), recipe.Adapters[i].Options);
        for (int k = 0; k < recipe.Continual.Count; k++)
            json["continual"]![k]!["options"] = BoundOptions(plugins.Find<IContinualStrategy>(recipe.Continual[k].Strategy), recipe.Continual[k].Options);
        return json;
    }

    /// <summary>The options with the plugin's defaults filled in; as written when the plugin is missing or refuses them.</summary>
    private static JsonNode? BoundOptions(LoadedPlugin? plugin, JsonElement? options)
    {
        if (plugin?.Instance is not IConfigurablePlugin configurable) return options is { } raw ? JsonNode.Parse(raw.GetRawText()) : null;
        try
        {
            return JsonSerializer.SerializeToNode(PluginOptionsSchema.Bind(configurable, options, "$"), configurable.OptionsType, JsonShapeValidator.SerializerOptions);
        }
        catch (BadInputException)
        {
            return options is { } raw ? JsonNode.Parse(raw.GetRawText()) : null;
        }
    }

    /// <summary>
    /// Every JSON path where <paramref name="before"/> and <paramref name="after"/> differ, with both values
    /// (<c>$.training.learningRate: 3E-05 -> 5E-05</c>); arrays are compared item by item.
    /// </summary>
    public static List<(string Path, string Change)> Differences(JsonNode? before, JsonNode? after, string path = "$")
    {
        var differences = new List<(string, string)>();
        Compare(before, after, path, differences);
        return differences;
    }

    private static void Compare(JsonNode? before, JsonNode? after, string path, List<(string, string)> differences)
    {
        switch (before, after)
        {
            case (JsonObject a, JsonObject b):
                foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
                    Compare(a.TryGetPropertyValue(key, out var x) ? x : null, b.TryGetPropertyValue(key, out var y) ? y : null, $"{path}.{key}", differences);
                break;
            case (JsonArray a, JsonArray b) when a.Count == b.Count:
                for (int i = 0; i < a.Count; i++) Compare(a[i], b[i], $"{path}[{i}]", differences);
                break;
            default:
                if (!JsonNode.DeepEquals(before, after)) differences.Add((path, $"{Show(before)} -> {Show(after)}"));
                break;
        }
    }

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "(absent)";
        return text.Length <= 60 ? text : text[..57] + "...";
    }
}
