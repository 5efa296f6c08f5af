using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Plugins.Continual;

public sealed class LwfOptions
{
    [Description("Weight alpha of the distillation term added to each batch's loss (Avalanche's LwF alpha; Li and Hoiem's lambda_o, 1 in the paper).")]
    [Range(0.0, double.MaxValue)]
    public double Alpha { get; set; } = 1.0;

    [Description("Softmax temperature T of the previous and the current model's start and end distributions (2 in Li and Hoiem and in Avalanche's examples).")]
    [Range(0.01, double.MaxValue)]
    public double Temperature { get; set; } = 2.0;

    [Description("Distil the starting model on the first task too: auto (when the starting model already answers questions: a fine-tuned QA checkpoint, not a base model with a fresh head), always or never.")]
    public string FromStart { get; set; } = "auto";

    public static readonly IReadOnlyList<string> FromStartChoices = ["auto", "always", "never"];
}
