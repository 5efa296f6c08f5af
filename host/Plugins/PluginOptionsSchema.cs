using System.Collections;
using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using PeftQa.Abstractions;
using PeftQa.Host.Recipes;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Plugins;

/// <summary>Describes a plugin's options class and turns recipe JSON into an options instance.</summary>
public static class PluginOptionsSchema
{
    public static IReadOnlyList<PluginOption> Describe(Type optionsType)
    {
        var defaults = Activator.CreateInstance(optionsType)
            ?? throw new InvalidOperationException($"{optionsType.FullName} needs a public parameterless constructor");
        return JsonShapeValidator.OptionProperties(optionsType)
            .Select(p => new PluginOption(
                JsonShapeValidator.JsonName(p),
                TypeName(p.PropertyType),
                FormatDefault(p.GetValue(defaults)),
                p.GetCustomAttribute<DescriptionAttribute>()?.Description,
                p.GetCustomAttribute<PeftDefaultAttribute>()?.Value,
                p.GetCustomAttribute<PeftDefaultAttribute>()?.Reason))
            .ToList();
    }

    /// <summary>
    /// Builds the options for <paramref name="plugin"/> from the recipe's JSON (null: all defaults). Problems are
    /// reported with <paramref name="path"/> (for example <c>$.adapters[0].options</c>).
    /// </summary>
    public static object Bind(IConfigurablePlugin plugin, JsonElement? json, string path)
    {
        if (json is not { ValueKind: not JsonValueKind.Null } element)
            return Activator.CreateInstance(plugin.OptionsType)!;
        var problems = JsonShapeValidator.Validate(element, plugin.OptionsType, path);
        if (problems.Count > 0) throw new BadInputException(problems);
        return element.Deserialize(plugin.OptionsType, JsonShapeValidator.SerializerOptions)!;
    }

    private static string TypeName(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner) return TypeName(inner) + "?";
        if (type == typeof(int) || type == typeof(long)) return "integer";
        if (type == typeof(double) || type == typeof(float)) return "number";
        if (type == typeof(bool)) return "boolean";
        if (type == typeof(string)) return "string";
        if (type.IsEnum) return string.Join("|", Enum.GetNames(type).Select(JsonNamingPolicy.CamelCase.ConvertName));
        if (typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType) return TypeName(type.GetGenericArguments()[0]) + "[]";
        return "object";
    }

    private static string FormatDefault(object? value) => value switch
    {
        null => "null",
        string s => JsonSerializer.Serialize(s),
        _ => JsonSerializer.Serialize(value, JsonShapeValidator.SerializerOptions).ReplaceLineEndings("").Replace("  ", ""),
    };
}
