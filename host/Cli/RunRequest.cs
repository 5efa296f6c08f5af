namespace PeftQa.Host.Cli;

/// <param name="RunFolder">--out: the exact run folder, else a new one under the recipe's output folder.</param>
/// <param name="Resume">Continue the newest run of this recipe (or --out) from its last checkpoint.</param>
/// <param name="Overwrite">Start a new run in --out even if it holds one, moving the old contents aside first.</param>
public sealed record RunRequest(string RecipePath, bool DryRun, string? RunFolder, bool Resume = false, bool Overwrite = false);
