using System.ComponentModel;

namespace PeftQa.Plugins.Lora;

/// <summary>IA3 options, with Hugging Face PEFT's defaults for BERT.</summary>
public sealed class Ia3Options
{
    [Description("Module names to scale; like PEFT, a name matches every Linear whose module name ends with it " +
                 "(\"output.dense\" also matches attention.output.dense).")]
    public List<string> TargetModules { get; set; } = ["key", "value", "output.dense"];

    [Description("The targets that are feed-forward layers, each also in targetModules, whose input is scaled (before the product) " +
                 "rather than their output.")]
    public List<string> FeedforwardModules { get; set; } = ["output.dense"];
}
