using System.ComponentModel;

namespace PeftQa.Plugins.Continual;

public sealed class ReplayOptions
{
    [Description("Training windows remembered per finished task, reservoir-sampled from the windows its training used.")]
    public int MemoryPerTask { get; set; } = 200;

    [Description("Remembered windows of earlier tasks added to every training batch (drawn uniformly from the whole memory).")]
    public int PerBatch { get; set; } = 4;
}
