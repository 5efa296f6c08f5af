namespace PeftQa.Host.Cli;

/// <param name="RunFolder">--out: the exact run folder, else a new one under the recipe's output folder.</param>
/// <param name="Resume">Continue the newest run of this recipe (or --out) from its last checkpoint.</param>
/// <param name="Overwrite">Start a new run in --out even if it holds one, moving the old contents aside first.</param>
/// <param name="Shard">--shard K/N or auto: run only the studies whose index i in the plan has i mod N == K, in --out.</param>
/// <param name="Study">--study: run only the study with this label, in --out.</param>
/// <param name="BaselineStage">--stage baseline: only prepare --out (recipe, inputs, baseline, selection) for its shards.</param>
public sealed record RunRequest(string RecipePath, bool DryRun, string? RunFolder, bool Resume = false, bool Overwrite = false,
    string? Shard = null, string? Study = null, bool BaselineStage = false)
{
    /// <summary>One part of a run in a shared folder: a shard or a single study.</summary>
    public bool IsPart => Shard is not null || Study is not null;
}
