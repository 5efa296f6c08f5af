using System.Text.Json;
using System.Text.Json.Serialization;

namespace PeftQa.Host.Recipes;

/// <summary>
/// A recipe value that is either one value (<c>1e-3</c>) or a search list (<c>[1e-3, 3e-3]</c>): a list expands into one
/// study per value (see <see cref="Planning.SearchSpace"/>). Written back as it was given, so a run's recipe.json and
/// <c>--resume</c> see the same shape.
/// </summary>
[JsonConverter(typeof(SearchableConverterFactory))]
public sealed class Searchable<T>
{
    public Searchable(T value) => (Values, IsSearch) = ([value], false);

    public Searchable(IReadOnlyList<T> values) => (Values, IsSearch) = (values, true);

    /// <summary>The value, or every value of the search list in the order given.</summary>
    public IReadOnlyList<T> Values { get; }

    /// <summary>Whether the recipe gave a list (even a list of one) rather than one value.</summary>
    public bool IsSearch { get; }

    public static implicit operator Searchable<T>(T value) => new(value);
}

/// <summary>Reads and writes <see cref="Searchable{T}"/>: a value or a JSON array of values.</summary>
public sealed class SearchableConverterFactory : JsonConverterFactory
{
    /// <summary>
    /// Whether <paramref name="element"/> is a search list for a <see cref="Searchable{T}"/> of <paramref name="valueType"/>:
    /// any array for a single value; for a value that is itself a list, only a list of lists (a list of objects is one value).
    /// </summary>
    public static bool IsSearchList(JsonElement element, Type valueType)
    {
        if (element.ValueKind != JsonValueKind.Array) return false;
        bool valueIsList = valueType != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(valueType);
        return !valueIsList || (element.GetArrayLength() > 0 && element.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Array));
    }

    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Searchable<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(SearchableConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class SearchableConverter<T> : JsonConverter<Searchable<T>>
    {
        public override Searchable<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var element = JsonElement.ParseValue(ref reader);
            return IsSearchList(element, typeof(T))
                ? new Searchable<T>(element.Deserialize<List<T>>(options)!)
                : new Searchable<T>(element.Deserialize<T>(options)!);
        }

        public override void Write(Utf8JsonWriter writer, Searchable<T> value, JsonSerializerOptions options)
        {
            if (value.IsSearch) JsonSerializer.Serialize(writer, value.Values, options);
            else JsonSerializer.Serialize(writer, value.Values[0], options);
        }
    }
}
