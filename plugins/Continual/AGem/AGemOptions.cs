using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

public sealed class AGemOptions
{
    [Description("Training windows remembered per finished task (A-GEM's episodic memory), reservoir-sampled from the windows its training used.")]
    [Range(1, int.MaxValue)]
    public int MemoryPerTask { get; set; } = 200;

    [Description("Remembered windows drawn per step for the reference gradient, each step costing one more forward and backward pass over them.")]
    [Range(1, int.MaxValue)]
    public int ReferenceWindows { get; set; } = 16;

    [Description("A retention task (tasks[].retention, with a memory) whose memory joins the episodic memory from the first task on; null: none.")]
    [RetentionTask]
    public string? RetentionTask { get; set; }

    [Description("Windows of the retention task's memory remembered (a seeded sample).")]
    [Range(1, int.MaxValue)]
    public int RetentionMemory { get; set; } = 200;
}
