using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using PeftQa.Abstractions;

namespace PeftQa.Plugins.Lora;

/// <summary>
/// LoRA options. The defaults are chosen for extractive QA on small encoders (recipes/defaults-evidence.json and the
/// issue's measurement: every linear layer at r 16, alpha 32 learns several times faster than PEFT's query/value at r 8,
/// alpha 8); where they differ from Hugging Face PEFT's, <see cref="PeftDefaultAttribute"/> says so.
/// </summary>
public sealed class LoraOptions
{
    [Description("Rank r of the update B A.")]
    [Range(1, int.MaxValue)]
    [PeftDefault("8", "rank 16, alpha 32 on every linear layer learns extractive QA several times faster than PEFT's defaults " +
                      "(measured in docs/recipes.md)")]
    public int R { get; set; } = 16;

    [Description("Scaling numerator: the update is multiplied by alpha / r (alpha / sqrt(r) with rsLora).")]
    [Range(double.Epsilon, double.MaxValue)]
    [PeftDefault("8", "alpha = 2 r (scale 2) is the common choice with rank 16; PEFT's 8 with r 8 is scale 1")]
    public double Alpha { get; set; } = 32;

    [Description("Dropout on the branch input.")]
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double Dropout { get; set; }

    [Description("Module names to adapt (query, key, value, attention.output.dense, intermediate.dense, output.dense) or [\"all-linear\"].")]
    [PeftDefault("[\"query\", \"value\"]", "with the feed-forward layers adapted too, LoRA learns extractive QA several times faster " +
                                           "(measured in docs/recipes.md)")]
    public List<string> TargetModules { get; set; } = ["all-linear"];

    [Description("Which biases train: none, all or lora_only.")]
    public string Bias { get; set; } = "none";

    [Description("Rank-stabilised scaling alpha / sqrt(r).")]
    public bool UseRsLora { get; set; }

    [Description("Weight-decomposed LoRA (DoRA): a trainable magnitude per output row times the direction of W + B A.")]
    public bool UseDora { get; set; }

    [Description("Computes y = (W + s B A) x as one product instead of W x + s B (A x): the same maths, and on CPUs faster, " +
                 "because rank-r products run far below the machine's peak. Applies without dropout and DoRA; false keeps PEFT's " +
                 "two rank-r products.")]
    public bool SingleProduct { get; set; } = true;

    [Description("LoRA+: B matrices (and, as in PEFT, every 1-D trainable parameter) train at this multiple of the learning rate; " +
                 "1 is plain LoRA.")]
    [Range(double.Epsilon, double.MaxValue)]
    public double LoraPlusRatio { get; set; } = 1;
}
