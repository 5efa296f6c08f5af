using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PeftQa.Host.Recipes;

/// <summary>
/// Checks a JSON value against the shape of a .NET options class before it is deserialized, and reports every
/// problem with its JSON path: unknown fields (with the nearest known name), wrong types, missing required
/// fields, values outside a <see cref="RangeAttribute"/> or a <see cref="MinLengthAttribute"/>. Used for recipes
/// and for plugin options, so both fail the same way, before any work.
/// </summary>
public static class JsonShapeValidator
{
    public static readonly JsonSerializerOptions SerializerOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        WriteIndented = true,
    };

    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>Problems with <paramref name="element"/> as a <paramref name="type"/>, each "path: message".</summary>
    public static List<string> Validate(JsonElement element, Type type, string path = "$")
    {
        var errors = new List<string>();
        Check(element, type, allowNull: false, path, errors);
        return errors;
    }

    /// <summary>The JSON names of the settable options of <paramref name="type"/>, in declaration order.</summary>
    public static IReadOnlyList<PropertyInfo> OptionProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .ToList();

    public static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    private static void Check(JsonElement element, Type type, bool allowNull, string path, List<string> errors)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            if (!allowNull && Nullable.GetUnderlyingType(type) is null && type != typeof(JsonElement))
                errors.Add($"{path}: expected {Describe(type)}, got null");
            return;
        }
        type = Nullable.GetUnderlyingType(type) ?? type;

        if (type == typeof(JsonElement)) return;
        if (type == typeof(string)) { Expect(element.ValueKind == JsonValueKind.String, type, element, path, errors); return; }
        if (type == typeof(bool)) { Expect(element.ValueKind is JsonValueKind.True or JsonValueKind.False, type, element, path, errors); return; }
        if (type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(float))
        {
            if (Expect(element.ValueKind == JsonValueKind.Number && (!IsInteger(type) || IsIntegerLiteral(element)), type, element, path, errors))
                CheckNumberRange(element, type, path, errors);
            return;
        }
        if (type.IsEnum)
        {
            var names = EnumNames(type);
            if (element.ValueKind != JsonValueKind.String || !names.Contains(element.GetString()!, StringComparer.Ordinal))
                errors.Add($"{path}: expected one of {string.Join(", ", names.Select(n => $"\"{n}\""))}, got {Show(element)}");
            return;
        }
        if (SearchedType(type) is { } searched)
        {
            CheckSearchable(element, searched, path, errors);
            return;
        }
        if (ElementTypeOfList(type) is { } itemType)
        {
            if (!Expect(element.ValueKind == JsonValueKind.Array, type, element, path, errors)) return;
            int index = 0;
            foreach (var item in element.EnumerateArray())
                Check(item, itemType, allowNull: false, $"{path}[{index++}]", errors);
            return;
        }
        if (type.IsClass)
        {
            if (!Expect(element.ValueKind == JsonValueKind.Object, type, element, path, errors)) return;
            CheckObject(element, type, path, errors);
            return;
        }
        errors.Add($"{path}: values of type {type.Name} cannot be given in JSON");
    }

    /// <summary>
    /// The names an enum is written with: a member's [JsonStringEnumMemberName], else its camelCase name. Matched exactly, as
    /// the recipe schema does: the serializer reads a [JsonStringEnumMemberName] name only in its own case ("BF16" fails).
    /// </summary>
    private static IReadOnlyList<string> EnumNames(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(f.Name))
            .ToList();

    /// <summary>
    /// A <see cref="Searchable{T}"/>: one value, or a non-empty list of values of one JSON kind (a list of lists where the
    /// value is itself a list).
    /// </summary>
    private static void CheckSearchable(JsonElement element, Type itemType, string path, List<string> errors)
    {
        if (!SearchableConverterFactory.IsSearchList(element, itemType))
        {
            Check(element, itemType, allowNull: false, path, errors);
            return;
        }
        var items = element.EnumerateArray().ToList();
        if (items.Count == 0) errors.Add($"{path}: an empty search list; give one value or a list of at least one value");
        for (int i = 0; i < items.Count; i++) Check(items[i], itemType, allowNull: false, $"{path}[{i}]", errors);
    }

    /// <summary>T for <see cref="Searchable{T}"/>, else null.</summary>
    public static Type? SearchedType(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Searchable<>) ? type.GetGenericArguments()[0] : null;
    }

    private static void CheckObject(JsonElement element, Type type, string path, List<string> errors)
    {
        var properties = OptionProperties(type).ToDictionary(JsonName, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in element.EnumerateObject())
        {
            string fieldPath = $"{path}.{field.Name}";
            if (!seen.Add(field.Name))
            {
                errors.Add($"{fieldPath}: given twice");
                continue;
            }
            if (!properties.TryGetValue(field.Name, out var property))
            {
                var nearest = Nearest(field.Name, properties.Keys);
                errors.Add(nearest is null
                    ? $"{fieldPath}: unknown field; expected one of {string.Join(", ", properties.Keys)}"
                    : $"{fieldPath}: unknown field; did you mean '{nearest}'? (known: {string.Join(", ", properties.Keys)})");
                continue;
            }
            int before = errors.Count;
            bool allowNull = Nullability.Create(property).WriteState == NullabilityState.Nullable;
            Check(field.Value, property.PropertyType, allowNull, fieldPath, errors);
            if (errors.Count == before) CheckConstraints(field.Value, property, fieldPath, errors);
        }
        foreach (var (name, property) in properties)
            if (!seen.Contains(name) && IsRequired(property))
                errors.Add($"{path}.{name}: required field is missing");
    }

    /// <summary>
    /// C#'s <c>required</c> modifier. Matched by name: some libraries (ScottPlot among them) ship their own public copy of
    /// RequiredMemberAttribute, which makes the type name ambiguous at compile time.
    /// </summary>
    private static bool IsRequired(PropertyInfo property) =>
        property.GetCustomAttributes().Any(a => a.GetType().FullName == "System.Runtime.CompilerServices.RequiredMemberAttribute");

    private static void CheckConstraints(JsonElement value, PropertyInfo property, string path, List<string> errors)
    {
        if (SearchedType(property.PropertyType) is not null && value.ValueKind == JsonValueKind.Array)
        {
            int index = 0;
            foreach (var item in value.EnumerateArray()) CheckConstraints(item, property, $"{path}[{index++}]", errors);
            return;
        }
        if (property.GetCustomAttribute<RangeAttribute>() is { } range && value.ValueKind == JsonValueKind.Number)
        {
            double number = value.GetDouble();
            double minimum = Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
            double maximum = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
            bool belowMinimum = range.MinimumIsExclusive ? number <= minimum : number < minimum;
            bool aboveMaximum = range.MaximumIsExclusive ? number >= maximum : number > maximum;
            if (belowMinimum || aboveMaximum)
            {
                string low = minimum.ToString(CultureInfo.InvariantCulture), high = maximum.ToString(CultureInfo.InvariantCulture);
                string expected = minimum == double.Epsilon ? "a number greater than 0"
                    : maximum is double.MaxValue or int.MaxValue ? $"a value of at least {low}"
                    : range.MaximumIsExclusive ? $"a value from {low} up to but not including {high}"
                    : range.MinimumIsExclusive ? $"a value above {low}, at most {high}"
                    : $"a value from {low} to {high}";
                errors.Add($"{path}: expected {expected}, got {value.GetRawText()}");
            }
        }
        if (property.GetCustomAttribute<MinLengthAttribute>() is { } minLength && value.ValueKind == JsonValueKind.Array
            && value.GetArrayLength() < minLength.Length)
            errors.Add($"{path}: expected at least {minLength.Length} item{(minLength.Length == 1 ? "" : "s")}");
    }

    private static bool IsInteger(Type type) => type == typeof(int) || type == typeof(long);

    /// <summary>Digits with an optional minus sign, however many: what the serializer reads as an integer when it fits.</summary>
    private static bool IsIntegerLiteral(JsonElement number) => number.GetRawText().TrimStart('-').All(char.IsAsciiDigit);

    /// <summary>A number of the right kind that its .NET type cannot hold is out of range, not of the wrong type: say so, with the range.</summary>
    private static void CheckNumberRange(JsonElement number, Type type, string path, List<string> errors)
    {
        var invariant = CultureInfo.InvariantCulture;
        var (fits, low, high) =
            type == typeof(int) ? (number.TryGetInt32(out _), int.MinValue.ToString(invariant), int.MaxValue.ToString(invariant))
            : type == typeof(long) ? (number.TryGetInt64(out _), long.MinValue.ToString(invariant), long.MaxValue.ToString(invariant))
            : type == typeof(float) ? (number.TryGetSingle(out var single) && float.IsFinite(single), "-3.4E+38", "3.4E+38")
            : (number.TryGetDouble(out var value) && double.IsFinite(value), "-1.7E+308", "1.7E+308");
        if (!fits)
            errors.Add($"{path}: {Truncate(number.GetRawText())} is out of range; " +
                       $"expected {(IsInteger(type) ? "a whole number" : "a number")} from {low} to {high}");
    }

    private static bool Expect(bool ok, Type type, JsonElement element, string path, List<string> errors)
    {
        if (!ok) errors.Add($"{path}: expected {Describe(type)}, got {Show(element)}");
        return ok;
    }

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int) || type == typeof(long)) return "an integer";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type.IsEnum) return "a string";
        if (SearchedType(type) is { } searched) return $"{Describe(searched)} or a list of them";
        if (ElementTypeOfList(type) is not null) return "an array";
        return "an object";
    }

    private static string Show(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {Truncate(element.GetRawText())}",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => element.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..37] + "...";

    private static Type? ElementTypeOfList(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type)) return null;
        if (type.IsArray) return type.GetElementType();
        if (type.IsGenericType && type.GetGenericArguments().Length == 1) return type.GetGenericArguments()[0];
        return null;
    }

    /// <summary>The known name closest to a misspelt one, if it is close enough to be a likely typo.</summary>
    private static string? Nearest(string name, IEnumerable<string> known)
    {
        var best = known.Select(k => (Name: k, Distance: EditDistance(name.ToLowerInvariant(), k.ToLowerInvariant())))
            .OrderBy(k => k.Distance).FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, name.Length / 3) ? best.Name : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
