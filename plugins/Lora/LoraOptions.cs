using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Plugins.Lora;

/// <summary>LoRA options, with Hugging Face PEFT's defaults.</summary>
public sealed class LoraOptions
{
    [Description("Rank r of the update B A.")]
    [Range(1, int.MaxValue)]
    public int R { get; set; } = 8;

    [Description("Scaling numerator: the update is multiplied by alpha / r (alpha / sqrt(r) with rsLora).")]
    [Range(double.Epsilon, double.MaxValue)]
    public double Alpha { get; set; } = 8;

    [Description("Dropout on the branch input.")]
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double Dropout { get; set; }

    [Description("Module names to adapt (query, key, value, attention.output.dense, intermediate.dense, output.dense) or [\"all-linear\"].")]
    public List<string> TargetModules { get; set; } = ["query", "value"];

    [Description("Which biases train: none, all or lora_only.")]
    public string Bias { get; set; } = "none";

    [Description("Rank-stabilised scaling alpha / sqrt(r).")]
    public bool UseRsLora { get; set; }

    [Description("Weight-decomposed LoRA (DoRA): a trainable magnitude per output row times the direction of W + B A.")]
    public bool UseDora { get; set; }

    [Description("LoRA+: B matrices (and, as in PEFT, every 1-D trainable parameter) train at this multiple of the learning rate; 1 is plain LoRA, the LoRA+ paper suggests 16.")]
    [Range(double.Epsilon, double.MaxValue)]
    public double LoraPlusRatio { get; set; } = 1;
}
