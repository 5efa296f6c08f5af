using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Planning;

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
            json["continual"]![k]!["options"] =
                BoundOptions(plugins.Find<IContinualStrategy>(recipe.Continual[k].Strategy), recipe.Continual[k].Options);
        return json;
    }

    /// <summary>The options with the plugin's defaults filled in; as written when the plugin is missing or refuses them.</summary>
    private static JsonNode? BoundOptions(LoadedPlugin? plugin, JsonElement? options)
    {
        if (plugin?.Instance is not IConfigurablePlugin configurable) return options is { } raw ? JsonNode.Parse(raw.GetRawText()) : null;
        try
        {
            return JsonSerializer.SerializeToNode(
                PluginOptionsSchema.Bind(configurable, options, "$"), configurable.OptionsType, JsonShapeValidator.SerializerOptions);
        }
        catch (BadInputException)
        {
            return options is { } raw ? JsonNode.Parse(raw.GetRawText()) : null;
        }
    }
}
