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
        return config?["peft_type"]?.GetValue<string>() == peftType ? config : null;
    }

    /// <summary>A module-name list as PEFT writes it: a list, or one name.</summary>
    public static List<string>? Names(JsonNode? node) => node switch
    {
        JsonArray list => list.Select(t => t!.GetValue<string>()).ToList(),
        JsonValue single => [single.GetValue<string>()],
        _ => null,
    };
}
