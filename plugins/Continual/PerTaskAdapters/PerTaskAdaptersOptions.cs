using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Plugins.Continual;

public sealed class PerTaskAdaptersOptions
{
    [Description("How evaluation picks a task's adapter: task-id (the evaluation set's task is given) or centroid (not given: the " +
                 "nearest task centroid of the base encoder's [CLS] vector chooses, per window; a retention task's memory adds a centroid that routes to the starting model).")]
    public string Routing { get; set; } = "task-id";

    [Description("How centroid routing measures nearness: euclidean (the squared distance to each centroid) or mahalanobis (the distance " +
                 "under the covariance of the [CLS] vectors around their own centroid, pooled over tasks and shrunk a tenth toward its mean variance: " +
                 "linear discriminant analysis, which weighs the directions that tell domains apart).")]
    public string Distance { get; set; } = "euclidean";

    [Description("Training windows per task whose base-encoder [CLS] vectors are averaged into the task's centroid.")]
    [Range(1, int.MaxValue)]
    public int CentroidWindows { get; set; } = 256;
}
