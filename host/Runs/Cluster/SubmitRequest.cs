namespace PeftQa.Host.Runs;

/// <summary>What <c>peftqa submit</c> was asked for; see <see cref="ClusterSubmission"/>.</summary>
/// <param name="Shards">Array tasks (default: one per study).</param>
/// <param name="Peftqa">The command a cluster node runs peftqa with (default: this installation's).</param>
/// <param name="Image">Kubernetes: the container image with peftqa.</param>
/// <param name="DataRoot">--data-root, else $PEFTQA_DATA: the data root the nodes use; null: the recipe's dataRoot.</param>
/// <param name="VolumeClaim">Kubernetes: the shared volume (run folders, recipes, data), mounted at <paramref name="Mount"/>.</param>
public sealed record SubmitRequest(string RecipePath, bool Slurm, bool Kubernetes, string? RunFolder, bool Print, int? Shards,
    string? Partition, string? Time, int? CpusPerTask, int? GpusPerTask, string? Memory, string? Peftqa,
    string Image = "peftqa:latest", string VolumeClaim = "peftqa-shared", string Mount = "/shared", string? DataRoot = null);
