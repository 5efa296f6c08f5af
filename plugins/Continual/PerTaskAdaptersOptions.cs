using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Plugins.Continual;

public sealed class PerTaskAdaptersOptions
{
    [Description("How evaluation picks a task's adapter: task-id (the evaluation set's task is given) or centroid (not given: the " +
                 "nearest task centroid of the base encoder's [CLS] vector chooses, per window).")]
    public string Routing { get; set; } = "task-id";

    [Description("Training windows per task whose base-encoder [CLS] vectors are averaged into the task's centroid.")]
    [Range(1, int.MaxValue)]
    public int CentroidWindows { get; set; } = 256;
}
