using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Abstractions;

namespace PeftQa.Plugins.SoftPrompt;

/// <summary>PEFT's file layout for soft prompts: adapter_config.json and adapter_model.safetensors.</summary>
internal static class PromptFiles
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";
    public const string PeftPrefix = "base_model.model.";

    public static void WriteConfig(string directory, JsonObject config) =>
        File.WriteAllText(Path.Combine(directory, ConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    public static JsonObject? ReadConfig(string directory, string peftType)
    {
        var path = Path.Combine(directory, ConfigFile);
        if (!File.Exists(path)) return null;
        try
        {
            var config = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            return config?["peft_type"] is JsonValue type && type.TryGetValue<string>(out var name) && name == peftType ? config : null;
        }
        catch (JsonException) { return null; }
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
        var expected = typeof(T) == typeof(int) ? "a whole number" : typeof(T) == typeof(bool) ? "true or false" : "a number";
        throw new FormatException($"$.{field}: expected {expected}, got {node.ToJsonString()}");
    }

    /// <summary>PEFT's key for a trainable tensor: the QA head's (a module to save) under the wrapped model's prefix, the prompt's as is.</summary>
    public static string PeftKey(string name, ModelDescription model) =>
        name.StartsWith(model.HeadModuleName + ".", StringComparison.Ordinal) ? PeftPrefix + name : name;

    /// <summary>Copies saved tensors into <paramref name="parameters"/>; a prompt from another model or strategy fails with what differs.</summary>
    public static void LoadInto(string directory, IReadOnlyList<NamedParameter> parameters, ModelDescription model) =>
        AdapterFiles.LoadParameters(Path.Combine(directory, WeightsFile),
            parameters.Select(p => (PeftKey(p.Name, model), p.Parameter)),
            $"hidden {model.HiddenSize}, {model.NumLayers} layers", "made for another base model, strategy or prompt length?");
}
