using PeftQa.Host.Foundation;
using PeftQa.Host.Planning;

namespace PeftQa.Host.Runs;

/// <summary>The studies one process of a sharded run takes: their indices in the plan, and a name for its log.</summary>
public sealed record PartOfRun(string Name, IReadOnlyList<int> Indices)
{
    /// <summary>The part <paramref name="request"/> names: its --shard, else its --study.</summary>
    /// <exception cref="BadInputException">A shard count the plan cannot fill, or a study the plan does not have.</exception>
    public static PartOfRun Of(RunRequest request, Shard? shard, RunPlan plan)
    {
        if (shard is not null)
        {
            shard.CheckAgainst(plan.Studies.Count);
            return new PartOfRun(shard.Name, Enumerable.Range(0, plan.Studies.Count).Where(i => i % shard.Count == shard.Index).ToList());
        }
        int index = plan.Studies.ToList().FindIndex(s => s.Label == request.Study);
        if (index < 0)
            throw new BadInputException(
                $"--study {request.Study}: no such study; the plan's studies are {string.Join(", ", plan.Studies.Select(s => $"'{s.Label}'"))}");
        return new PartOfRun($"study-{FolderNames.For(request.Study!)}", [index]);
    }
}
