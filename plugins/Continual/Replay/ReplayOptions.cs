using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

public sealed class ReplayOptions
{
    [Description("Training windows remembered per finished task, reservoir-sampled from the windows its training used.")]
    [Range(1, int.MaxValue)]
    public int MemoryPerTask { get; set; } = 200;

    [Description("Remembered windows of earlier tasks added to every training batch (drawn uniformly from the whole memory).")]
    [Range(1, int.MaxValue)]
    public int PerBatch { get; set; } = 4;

    [Description("A retention task (tasks[].retention, with a memory) whose memory is replayed from the first task on, " +
                 "beside the finished tasks' windows; null: none.")]
    [RetentionTask]
    public string? RetentionTask { get; set; }

    [Description("Windows of the retention task's memory remembered (a seeded sample).")]
    [Range(1, int.MaxValue)]
    public int RetentionMemory { get; set; } = 200;
}
