using PeftQa.Host.Foundation;
using PeftQa.Host.Planning;

namespace PeftQa.Host.Runs;

/// <summary>What <c>peftqa run</c> was asked to do.</summary>
/// <param name="RecipePath">The recipe file.</param>
/// <param name="DryRun">Check everything and print the plan; train nothing, touch no run folder.</param>
/// <param name="RunFolder">--out: the exact run folder, else a new one under the recipe's output folder.</param>
/// <param name="Resume">Continue the newest run of this recipe (or --out) from its last checkpoint.</param>
/// <param name="Overwrite">Start a new run in --out even if it holds one, moving the old contents aside first.</param>
/// <param name="Shard">--shard K/N or auto: run only the studies whose index i in the plan has i mod N == K, in --out.</param>
/// <param name="Study">--study: run only the study with this label, in --out.</param>
/// <param name="BaselineStage">--stage baseline: only prepare --out (recipe, inputs, baseline, selection) for its shards.</param>
public sealed record RunRequest(string RecipePath, bool DryRun, string? RunFolder, bool Resume = false, bool Overwrite = false,
    string? Shard = null, string? Study = null, bool BaselineStage = false)
{
    /// <summary>What the command line sets instead of the recipe (--precision, --data-root).</summary>
    public RunOverrides Overrides { get; init; } = RunOverrides.None;

    /// <summary>One part of a run in a shared folder: a shard or a single study.</summary>
    public bool IsPart => Shard is not null || Study is not null;

    /// <summary>The run folder's mode for a whole run.</summary>
    public RunFolderMode Mode => Resume ? RunFolderMode.Resume : Overwrite ? RunFolderMode.Overwrite : RunFolderMode.New;

    /// <exception cref="BadInputException">Options that contradict each other or lack --out.</exception>
    public void Check()
    {
        if (Resume && Overwrite) throw new BadInputException("--resume and --overwrite contradict each other: choose one");
        if (Overwrite && RunFolder is null) throw new BadInputException("--overwrite needs --out: without it every run gets a new folder");
        if (Shard is not null && Study is not null) throw new BadInputException("--shard and --study contradict each other: choose one");
        if (BaselineStage && IsPart)
            throw new BadInputException("--stage baseline prepares the run folder for every shard: give it without --shard or --study");
        string? partOption = Shard is not null ? "--shard" : Study is not null ? "--study" : BaselineStage ? "--stage" : null;
        if (partOption is not null && RunFolder is null)
            throw new BadInputException($"{partOption} needs --out: the processes of a sharded run share one run folder");
        if (IsPart && Overwrite)
            throw new BadInputException(
                $"--overwrite cannot be given to {partOption}: the other shards use the folder; replace it once with --stage baseline --overwrite");
    }
}
