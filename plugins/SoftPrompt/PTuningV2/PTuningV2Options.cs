using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Plugins.SoftPrompt;

/// <summary>P-tuning v2 options (PEFT prefix_tuning).</summary>
public sealed class PTuningV2Options
{
    [Description("Prefix length n: key and value vectors prepended inside every layer's self-attention.")]
    [Range(1, int.MaxValue)]
    public int PrefixLength { get; set; } = 16;

    [Description("Produce the prefixes through an MLP (embedding, Linear, tanh, Linear) instead of learning them directly.")]
    public bool Reparameterize { get; set; }

    [Description("Hidden size of the reparameterization MLP.")]
    [Range(1, int.MaxValue)]
    public int ProjectionHiddenSize { get; set; } = 512;

    [Description("Dropout applied to the prefixes.")]
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double PrefixDropout { get; set; }
}
