using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace MyPlugin;

/// <summary>
/// The strategy's options, read from a recipe's <c>"options"</c> object (camelCase). The host checks them before any
/// work: unknown fields, wrong types and [Range] violations are reported with their JSON path; descriptions and
/// defaults appear in <c>peftqa plugins list</c>.
/// </summary>
public sealed class PluginClassOptions
{
    [Description("Also train the LayerNorm weights and biases, not only the other bias terms.")]
    public bool TrainLayerNorm { get; set; } = true;

    [Description("Train the QA head (qa_outputs), as PEFT's modules_to_save does for question answering.")]
    public bool TrainHead { get; set; } = true;

    [Description("Multiplies the run's learning rate for this strategy's parameters (bias tuning likes larger steps).")]
    [Range(1e-3, 1e3)]
    public double LearningRateScale { get; set; } = 1;
}
