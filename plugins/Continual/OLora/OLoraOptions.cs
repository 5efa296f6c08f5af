using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Plugins.Continual;

public sealed class OLoraOptions
{
    [Description("Weight lambda1 of the orthogonality penalty: the sum, over earlier tasks' LoRA and each adapted layer, " +
                 "of the squared entries of A_old A_new^T.")]
    [Range(0.0, double.MaxValue)]
    public double Lambda { get; set; } = 0.5;

    [Description("Weight lambda2 of an L2 penalty on the new task's LoRA A and B (0: none).")]
    [Range(0.0, double.MaxValue)]
    public double L2 { get; set; }
}
