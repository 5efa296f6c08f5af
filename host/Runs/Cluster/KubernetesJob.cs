using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Runs;

/// <summary>
/// A Kubernetes Indexed Job for a sharded run: one completion per shard, each pod running <c>--shard auto</c> (its
/// <c>JOB_COMPLETION_INDEX</c>, with the count in <c>PEFTQA_SHARD_COUNT</c>), all on one shared volume that holds the
/// recipe, the data and the run folder at the same paths as here. The first pod to lock the run folder measures the
/// baseline; the others wait for it. Printed as JSON, which kubectl reads as it reads YAML.
/// </summary>
public static partial class KubernetesJob
{
    /// <param name="command">The peftqa command inside the image, then the run's arguments.</param>
    public static JsonObject Manifest(SubmitRequest request, string name, int shards, IReadOnlyList<string> command)
    {
        var resources = new JsonObject();
        var requests = new JsonObject();
        if (request.CpusPerTask is { } cpus) requests["cpu"] = cpus.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (request.Memory is { } memory) requests["memory"] = KubernetesMemory(memory);
        if (requests.Count > 0) resources["requests"] = requests;
        if (request.GpusPerTask is > 0)
        {
            resources["limits"] = new JsonObject
            {
                ["nvidia.com/gpu"] = request.GpusPerTask.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        var container = new JsonObject
        {
            ["name"] = "peftqa",
            ["image"] = request.Image,
            ["command"] = new JsonArray(command.Select(c => (JsonNode?)c).ToArray()),
            ["env"] = new JsonArray(new JsonObject
            {
                ["name"] = Shard.CountVariable,
                ["value"] = shards.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }),
            ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "shared", ["mountPath"] = request.Mount }),
        };
        if (resources.Count > 0) container["resources"] = resources;
        return new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new JsonObject { ["name"] = ObjectName(name), ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = "peftqa" } },
            ["spec"] = new JsonObject
            {
                ["completionMode"] = "Indexed",
                ["completions"] = shards,
                ["parallelism"] = shards,
                ["backoffLimitPerIndex"] = 1,
                ["template"] = new JsonObject
                {
                    ["spec"] = new JsonObject
                    {
                        ["restartPolicy"] = "Never",
                        ["containers"] = new JsonArray(container),
                        ["volumes"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "shared",
                            ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = request.VolumeClaim },
                        }),
                    },
                },
            },
        };
    }

    /// <exception cref="BadInputException">A path the pods would not see, or a value Kubernetes would refuse.</exception>
    public static void Check(SubmitRequest request, IReadOnlyList<(string What, string Path)> sharedPaths)
    {
        var problems = new List<string>();
        if (!request.Mount.StartsWith('/')) problems.Add($"--mount {request.Mount}: expected an absolute path inside the container");
        var mount = request.Mount.TrimEnd('/') + "/";
        var unseen = sharedPaths
            .Where(p => !(p.Path.TrimEnd('/') + "/").StartsWith(mount, StringComparison.Ordinal))
            .DistinctBy(p => p.Path);
        foreach (var (what, path) in unseen)
            problems.Add($"{what} {path} is not under the shared volume's mount {request.Mount}: " +
                         "the pods would not see it (put it under --mount, or mount the volume where it is)");
        if (!ClaimName().IsMatch(request.VolumeClaim))
            problems.Add($"--volume-claim {request.VolumeClaim}: expected a Kubernetes name (lower-case letters, digits, '-')");
        if (request.Partition is not null || request.Time is not null)
            problems.Add("--partition and --time are Slurm's: a Kubernetes Job takes neither");
        if (problems.Count > 0) throw new BadInputException(problems);
    }

    /// <summary>Slurm sizes (16G or 16g, 800M, 16000 = megabytes) as Kubernetes quantities (16Gi, 800Mi, 16000Mi).</summary>
    public static string KubernetesMemory(string slurm) =>
        char.IsLetter(slurm[^1]) ? slurm[..^1] + char.ToUpperInvariant(slurm[^1]) + "i" : slurm + "Mi";

    /// <summary>A DNS-1123 name: lower case, digits and '-', at most 63 characters, starting and ending alphanumeric.</summary>
    public static string ObjectName(string name)
    {
        var cleaned = NotAllowed().Replace("peftqa-" + name.ToLowerInvariant(), "-").Trim('-');
        return cleaned.Length <= 63 ? cleaned : cleaned[..63].TrimEnd('-');
    }

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotAllowed();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex ClaimName();
}
