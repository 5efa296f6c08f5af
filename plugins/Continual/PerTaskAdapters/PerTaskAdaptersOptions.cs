using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Plugins.Continual;

public sealed class PerTaskAdaptersOptions
{
    [Description("How evaluation picks a task's adapter: task-id (the evaluation set's task is given) or centroid (per window, the " +
                 "task whose centroid of base-encoder [CLS] vectors is nearest).")]
    public string Routing { get; set; } = "task-id";

    [Description("How centroid routing measures nearness: euclidean (the squared distance to each centroid) or mahalanobis (the " +
                 "distance under the [CLS] vectors' covariance around their centroids, pooled over tasks).")]
    public string Distance { get; set; } = "euclidean";

    [Description("Training windows per task whose base-encoder [CLS] vectors are averaged into the task's centroid.")]
    [Range(1, int.MaxValue)]
    public int CentroidWindows { get; set; } = 256;
}
