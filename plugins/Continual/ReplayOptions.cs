using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Plugins.Continual;

public sealed class ReplayOptions
{
    [Description("Training windows remembered per finished task, reservoir-sampled from the windows its training used.")]
    [Range(1, int.MaxValue)]
    public int MemoryPerTask { get; set; } = 200;

    [Description("Remembered windows of earlier tasks added to every training batch (drawn uniformly from the whole memory).")]
    [Range(1, int.MaxValue)]
    public int PerBatch { get; set; } = 4;
}
