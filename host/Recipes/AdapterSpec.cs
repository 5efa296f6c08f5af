using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace PeftQa.Host.Recipes;

public sealed class AdapterSpec
{
    [Description("Name of an adapter-strategy plugin (see peftqa plugins list).")]
    public required string Strategy { get; init; }

    [Description("Label in reports; defaults to the strategy name.")]
    public string? Label { get; init; }

    [Description("The strategy's options; omitted options take the plugin's defaults. A list in place of an option's value (a list of lists " +
                 "for a list option) searches: one study per combination.")]
    public JsonElement? Options { get; init; }

    [Description("Learning rate for this strategy (null: training.learningRate); methods differ in their usual rates, the budget stays the " +
                 "same. A list searches: one study per rate.")]
    [Range(double.Epsilon, double.MaxValue)]
    public Searchable<double>? LearningRate { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string DisplayName => Label ?? Strategy;
}
