namespace PeftQa.Host.Runs;

/// <summary>How a run may use its folder.</summary>
public enum RunFolderMode
{
    /// <summary>A new run: the folder must not exist or be empty.</summary>
    New,

    /// <summary>Continue the run the folder holds (<c>--resume</c>): it must hold one.</summary>
    Resume,

    /// <summary>A new run in place of whatever the folder holds (<c>--overwrite</c>): the old contents are moved aside first.</summary>
    Overwrite,

    /// <summary>
    /// One shard of a run (<c>--shard</c>, <c>--study</c>): the folder must hold the run, prepared; it is locked shared
    /// with the run's other shards (each study has a lock of its own), never with a whole run or an overwrite.
    /// </summary>
    Shard,
}
