using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

public sealed class EwcOptions
{
    [Description("Strength lambda of the penalty, the sum over finished tasks of lambda/2 * F * (theta - theta*)^2.")]
    [Range(0.0, double.MaxValue)]
    public double Lambda { get; set; } = 1e5;

    [Description("Training windows of the finished task used to estimate its Fisher information (a seeded sample of those training used).")]
    [Range(1, int.MaxValue)]
    public int FisherWindows { get; set; } = 256;

    [Description("Windows per mini-batch when estimating the Fisher information.")]
    [Range(1, int.MaxValue)]
    public int FisherBatchSize { get; set; } = 8;

    [Description("A retention task (tasks[].retention, with a memory) on whose memory a Fisher is estimated with the starting model " +
                 "before the first task; null: none.")]
    [RetentionTask]
    public string? RetentionTask { get; set; }
}
