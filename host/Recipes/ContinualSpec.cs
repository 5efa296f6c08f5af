using System.ComponentModel;
using System.Text.Json;

namespace PeftQa.Host.Recipes;

public sealed class ContinualSpec
{
    [Description("Name of a continual-strategy plugin (naive, replay, ewc, per-task-adapters, o-lora; see peftqa plugins list).")]
    public required string Strategy { get; init; }

    [Description("Label in reports; defaults to the strategy name.")]
    public string? Label { get; init; }

    [Description("The strategy's options; omitted options take the plugin's defaults.")]
    public JsonElement? Options { get; init; }

    [Description("Labels of the adapters (see adapters[].label) this strategy runs with; null: every adapter.")]
    public List<string>? Adapters { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string DisplayName => Label ?? Strategy;
}
