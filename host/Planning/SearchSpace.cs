using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Planning;

/// <summary>
/// Expands one adapter entry of a recipe into its combinations: a list in place of <c>learningRate</c>, or in place of an
/// option's value (a list of lists for an option that is itself a list, such as <c>targetModules</c>), is a search axis,
/// and every combination of the axes is one configuration, in the order the lists give. An entry without lists is one
/// configuration with no choices.
/// </summary>
public static class SearchSpace
{
    /// <summary>One searched setting's value: its name (<c>lr</c> or the option's JSON name) and the value as written.</summary>
    public sealed record Choice(string Name, JsonNode? Value)
    {
        public override string ToString() => $"{Name}={Show(Value)}";
    }

    /// <summary>One combination: the choices made, and the adapter entry's learning rate and options with them applied.</summary>
    public sealed record Combination(IReadOnlyList<Choice> Choices, double? LearningRate, JsonElement? Options)
    {
        /// <summary>"lora r=8 lr=0.001": the method's label and the choices; the method's label alone without a search.</summary>
        public string Label(string method) => Choices.Count == 0 ? method : $"{method} {string.Join(" ", Choices)}";
    }

    private sealed record Axis(string Name, string Path, IReadOnlyList<JsonNode?> Values, Func<Combination, JsonNode?, Combination> Apply);

    /// <summary>The combinations of <paramref name="adapter"/>, or the problems with its search lists (each with its JSON path).</summary>
    /// <param name="optionsType">The strategy's options class: it tells a list-valued option from a searched one.</param>
    /// <param name="path">The adapter entry's JSON path, such as <c>$.adapters[1]</c>.</param>
    public static (IReadOnlyList<Combination> Combinations, IReadOnlyList<string> Problems) Expand(AdapterSpec adapter, Type optionsType, string path)
    {
        var problems = new List<string>();
        var axes = Axes(adapter, optionsType, path, problems);
        problems.AddRange(RepeatedValues(axes));
        var combinations = new List<Combination> { new([], adapter.LearningRate?.Values[0], adapter.Options) };
        foreach (var axis in axes)
            combinations = combinations
                .SelectMany(c => axis.Values.Select(v => axis.Apply(c, v) with { Choices = [.. c.Choices, new Choice(axis.Name, v)] }))
                .ToList();
        return (problems.Count == 0 ? combinations : [], problems);
    }

    private static List<Axis> Axes(AdapterSpec adapter, Type optionsType, string path, List<string> problems)
    {
        var axes = new List<Axis>();
        if (adapter.LearningRate is { IsSearch: true } rates)
            axes.Add(new Axis("lr", $"{path}.learningRate", rates.Values.Select(r => (JsonNode?)JsonValue.Create(r)).ToList(),
                (c, v) => c with { LearningRate = v!.GetValue<double>() }));
        if (adapter.Options is not { ValueKind: JsonValueKind.Object } options) return axes;
        var properties = Recipes.JsonShapeValidator.OptionProperties(optionsType)
            .ToDictionary(Recipes.JsonShapeValidator.JsonName, p => p.PropertyType);
        foreach (var field in options.EnumerateObject())
        {
            if (!properties.TryGetValue(field.Name, out var type) || !IsSearch(field.Value, type)) continue;
            var values = field.Value.EnumerateArray().Select(v => JsonNode.Parse(v.GetRawText())).ToList();
            string fieldPath = $"{path}.options.{field.Name}";
            int before = problems.Count;
            CheckValues(field.Value, IsList(type), fieldPath, problems);
            if (problems.Count == before)
                axes.Add(new Axis(field.Name, fieldPath, values, (c, v) => c with { Options = WithField(c.Options!.Value, field.Name, v) }));
        }
        return axes;
    }

    /// <summary>A value searched twice would be one study twice, under one label and in one folder.</summary>
    private static IEnumerable<string> RepeatedValues(IEnumerable<Axis> axes)
    {
        foreach (var axis in axes)
            for (int index = 1; index < axis.Values.Count; index++)
                for (int earlier = 0; earlier < index; earlier++)
                    if (SameValue(axis.Values[earlier], axis.Values[index]))
                    {
                        yield return $"{axis.Path}[{index}]: {Show(axis.Values[index])} is searched twice (also at [{earlier}])";
                        break;
                    }
    }

    /// <summary>Equal JSON, or the same number however it is written (1e-3 and 0.001 are one learning rate and one study folder).</summary>
    private static bool SameValue(JsonNode? a, JsonNode? b) =>
        a is JsonValue x && b is JsonValue y && x.GetValueKind() == JsonValueKind.Number && y.GetValueKind() == JsonValueKind.Number
            ? x.GetValue<double>() == y.GetValue<double>()
            : JsonNode.DeepEquals(a, b);

    /// <summary>A list given for a single value, or a list of lists (or an empty list of lists) for a list-valued option.</summary>
    private static bool IsSearch(JsonElement value, Type optionType)
    {
        if (value.ValueKind != JsonValueKind.Array) return false;
        if (!IsList(optionType)) return true;
        return value.GetArrayLength() > 0 && value.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.Array);
    }

    private static void CheckValues(JsonElement list, bool optionIsList, string path, List<string> problems)
    {
        var kinds = list.EnumerateArray().Select(v => Kind(v.ValueKind)).Distinct().ToList();
        if (list.GetArrayLength() == 0) problems.Add($"{path}: an empty search list; give one value or a list of at least one value");
        else if (kinds.Count > 1)
            problems.Add($"{path}: a search list mixes {string.Join(" and ", kinds)} values; every value of a search must be of one type" +
                         (optionIsList ? " (for a list option, search with a list of lists)" : ""));
    }

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "number",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        JsonValueKind.Array => "list",
        JsonValueKind.Object => "object",
        _ => "null",
    };

    private static bool IsList(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(Nullable.GetUnderlyingType(type) ?? type);

    private static JsonElement WithField(JsonElement options, string name, JsonNode? value)
    {
        var json = JsonNode.Parse(options.GetRawText())!.AsObject();
        json[name] = value?.DeepClone();
        return JsonDocument.Parse(json.ToJsonString()).RootElement.Clone();
    }

    private static string Show(JsonNode? value) => value switch
    {
        null => "null",
        JsonArray list => string.Join("+", list.Select(Show)),
        JsonValue v when v.TryGetValue<string>(out var text) => text,
        _ => value.ToJsonString(),
    };
}
