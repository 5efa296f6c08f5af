using System.Text.Json;
using System.Text.Json.Nodes;

namespace PeftQa.Plugins.Lora;

/// <summary>PEFT's <c>adapter_config.json</c>, as the strategies of this plugin read it to recognise folders saved by PEFT.</summary>
internal static class PeftConfigFile
{
    /// <summary>The config in <paramref name="directory"/> when it is valid JSON with this <c>peft_type</c>, else null.</summary>
    public static JsonObject? Read(string directory, string peftType)
    {
        var path = Path.Combine(directory, LoraAdapter.ConfigFile);
        if (!File.Exists(path)) return null;
        JsonObject? config;
        try { config = JsonNode.Parse(File.ReadAllText(path)) as JsonObject; }
        catch (JsonException) { return null; }
        return config?["peft_type"] is JsonValue type && type.TryGetValue<string>(out var name) && name == peftType ? config : null;
    }

    /// <summary>
    /// A setting: <paramref name="fallback"/> when absent or null. A value of another kind is a <see cref="FormatException"/>
    /// naming the field and what it takes in words, which the host reports with the file.
    /// </summary>
    public static T Value<T>(JsonObject config, string field, T fallback)
    {
        var node = config[field];
        if (node is null) return fallback;
        if (node is JsonValue value && value.TryGetValue<T>(out var result)) return result;
        throw new FormatException($"$.{field}: expected {InWords(typeof(T))}, got {node.ToJsonString()}");
    }

    /// <summary>A module-name list as PEFT writes it: a list, or one name; null when absent.</summary>
    public static List<string>? Names(JsonObject config, string field)
    {
        var node = config[field];
        if (node is null) return null;
        var items = node is JsonArray list ? list.ToList() : [node];
        return items.Select(item => item is JsonValue value && value.TryGetValue<string>(out var name) ? name
            : throw new FormatException($"$.{field}: expected a module name or a list of module names, got {node.ToJsonString()}")).ToList();
    }

    private static string InWords(Type type) =>
        type == typeof(int) ? "a whole number" : type == typeof(double) ? "a number" : type == typeof(bool) ? "true or false" : "a string";
}
