using System.ComponentModel;
using System.Text.Json;

namespace PeftQa.Host.Recipes;

/// <summary>One data augmentation of a task's training questions (<see cref="TaskSpec.Augment"/>).</summary>
public sealed class AugmentSpec
{
    [Description("Name of a data-augmentation plugin: distractor-context, question-synonyms, from-file or a third party's " +
                 "(see peftqa plugins list).")]
    public required string Strategy { get; init; }

    [Description("The augmentation's options; omitted options take the plugin's defaults.")]
    public JsonElement? Options { get; init; }
}
