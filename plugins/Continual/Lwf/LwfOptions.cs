using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Plugins.Continual;

public sealed class LwfOptions
{
    [Description("Weight alpha of the distillation term added to each batch's loss.")]
    [Range(0.0, double.MaxValue)]
    public double Alpha { get; set; } = 1.0;

    [Description("Softmax temperature T of the previous and the current model's start and end distributions.")]
    [Range(0.01, double.MaxValue)]
    public double Temperature { get; set; } = 2.0;

    [Description("Distil the starting model on the first task too: auto (when it already answers questions, as a fine-tuned QA " +
                 "checkpoint does), always or never.")]
    public string FromStart { get; set; } = "auto";

    public static readonly IReadOnlyList<string> FromStartChoices = ["auto", "always", "never"];
}
