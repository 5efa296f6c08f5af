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
        JsonSchemaExporter.GetJsonSchemaAsNode(ExportOptions, type, new JsonSchemaExporterOptions { TransformSchemaNode = Annotate, TreatNullObliviousAsNonNullable = true }).AsObject();

    private static JsonNode Annotate(JsonSchemaExporterContext context, JsonNode schema)
    {
        if (schema is not JsonObject node) return schema;
        if (node.ContainsKey("properties")) node["additionalProperties"] = false;
        if (context.PropertyInfo is not { } property || property.AttributeProvider is not MemberInfo member) return node;
        if (member.GetCustomAttribute<DescriptionAttribute>() is { } description) node["description"] = description.Description;
        if (member.GetCustomAttribute<RangeAttribute>() is { } range) AddRange(node, range);
        if (member.GetCustomAttribute<MinLengthAttribute>() is { } minLength) node["minItems"] = minLength.Length;
        if (DefaultOf(property) is { } value) node["default"] = value;
        return node;
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
