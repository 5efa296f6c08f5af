using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace PeftQa.Host.Recipes;

/// <summary>
/// The JSON Schema (draft 2020-12) of a recipe or options class, as <see cref="JsonShapeValidator"/> reads it: System.Text.Json's
/// <see cref="JsonSchemaExporter"/> gives the shape (types, nullability, enums, required members, no unknown fields),
/// and the attributes the validator checks are added: <see cref="DescriptionAttribute"/> as <c>description</c>,
/// <see cref="RangeAttribute"/> as <c>minimum</c>/<c>maximum</c>, <see cref="MinLengthAttribute"/> as <c>minItems</c>,
/// and each field's default.
/// </summary>
public static class OptionsJsonSchema
{
    private static readonly JsonSerializerOptions ExportOptions = new(JsonShapeValidator.SerializerOptions)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        RespectNullableAnnotations = true,
    };

    /// <remarks>List items and the root carry no nullability annotation; like the validator, the schema takes them as non-null.</remarks>
    public static JsonObject For(Type type) =>
        JsonSchemaExporter.GetJsonSchemaAsNode(
            ExportOptions,
            type,
            new JsonSchemaExporterOptions { TransformSchemaNode = Annotate, TreatNullObliviousAsNonNullable = true }).AsObject();

    private static JsonNode Annotate(JsonSchemaExporterContext context, JsonNode schema)
    {
        // A converter-backed type exports as "true" (anything); a Searchable gets its real schema here.
        if (context.PropertyInfo is { AttributeProvider: MemberInfo searchedMember } searchable
            && JsonShapeValidator.SearchedType(searchable.PropertyType) is { } searched)
            schema = SearchableSchema(searched, searchedMember, searchable.IsSetNullable);
        if (schema is not JsonObject node) return schema;
        if (node.ContainsKey("properties")) node["additionalProperties"] = false;
        if (context.PropertyInfo is not { } property || property.AttributeProvider is not MemberInfo member) return node;
        if (member.GetCustomAttribute<DescriptionAttribute>() is { } description) node["description"] = description.Description;
        if (member.GetCustomAttribute<RangeAttribute>() is { } range && !node.ContainsKey("anyOf")) AddRange(node, range);
        if (member.GetCustomAttribute<MinLengthAttribute>() is { } minLength) node["minItems"] = minLength.Length;
        if (DefaultOf(property) is { } value) node["default"] = value;
        return node;
    }

    /// <summary>A <see cref="Searchable{T}"/>: one value, or a list of at least one; [Range] holds for each value.</summary>
    private static JsonObject SearchableSchema(Type itemType, MemberInfo member, bool nullable)
    {
        JsonObject Item()
        {
            var item = JsonSchemaExporter.GetJsonSchemaAsNode(ExportOptions, itemType).AsObject();
            if (member.GetCustomAttribute<RangeAttribute>() is { } range) AddRange(item, range);
            return item;
        }
        var choices = new JsonArray(Item(), new JsonObject { ["type"] = "array", ["items"] = Item(), ["minItems"] = 1 });
        if (nullable) choices.Add(new JsonObject { ["type"] = "null" });
        return new JsonObject { ["anyOf"] = choices };
    }

    /// <summary>The validator's reading of [Range]: a minimum of double.Epsilon means above 0; a maximum of the type's largest value, none.</summary>
    private static void AddRange(JsonObject node, RangeAttribute range)
    {
        double minimum = Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
        double maximum = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
        if (minimum == double.Epsilon) node["exclusiveMinimum"] = 0;
        else node[range.MinimumIsExclusive ? "exclusiveMinimum" : "minimum"] = minimum;
        if (maximum is not (double.MaxValue or int.MaxValue)) node[range.MaximumIsExclusive ? "exclusiveMaximum" : "maximum"] = maximum;
    }

    /// <summary>The value a new instance of the declaring type has, as JSON; null when it has none worth showing.</summary>
    private static JsonNode? DefaultOf(JsonPropertyInfo property)
    {
        if (property.Get is not { } get || property.DeclaringType.GetConstructor(Type.EmptyTypes) is null) return null;
        var value = get(Activator.CreateInstance(property.DeclaringType)!);
        return value is null ? null : JsonSerializer.SerializeToNode(value, property.PropertyType, JsonShapeValidator.SerializerOptions);
    }
}
