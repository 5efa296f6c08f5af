using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using PeftQa.Abstractions;

namespace PeftQa.Plugins.SoftPrompt;

/// <summary>Prompt tuning options (PEFT prompt_tuning).</summary>
public sealed class PromptTuningOptions
{
    [Description("Number of virtual tokens prepended to the input embeddings.")]
    [Range(1, int.MaxValue)]
    public int VirtualTokens { get; set; } = 20;

    [Description("How the virtual tokens start: random, vocab (sampled vocabulary embeddings) or text.")]
    [PeftDefault("\"random\"", "the prompt-tuning paper found sampled vocabulary embeddings a better start than random vectors for " +
                             "small models (docs/recipes.md)")]
    public string Init { get; set; } = "vocab";

    [Description("The text whose token embeddings initialise the prompt when init is text.")]
    public string? InitText { get; set; }
}
