using System.Globalization;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Runs;

/// <summary>
/// One part of a run's studies for one process (<c>--shard K/N</c>): the studies whose index i in the plan has
/// i mod N == K. <c>--shard auto</c> reads the index and count a scheduler gives each task of an array: Slurm's
/// <c>SLURM_ARRAY_TASK_ID</c> (less <c>SLURM_ARRAY_TASK_MIN</c>) and <c>SLURM_ARRAY_TASK_COUNT</c>, or a Kubernetes
/// Indexed Job's <c>JOB_COMPLETION_INDEX</c> with the count in <c>PEFTQA_SHARD_COUNT</c>.
/// </summary>
public sealed record Shard(int Index, int Count)
{
    public const string CountVariable = "PEFTQA_SHARD_COUNT";

    /// <exception cref="BadInputException">Not K/N with 0 &lt;= K &lt; N, or <c>auto</c> outside an array task.</exception>
    public static Shard Parse(string text, Func<string, string?> environment)
    {
        if (text.Equals("auto", StringComparison.OrdinalIgnoreCase)) return FromScheduler(environment);
        var parts = text.Split('/');
        if (parts.Length != 2 || !TryCount(parts[0], out int index) || !TryCount(parts[1], out int count))
            throw new BadInputException($"--shard {text}: " +
                                        "expected K/N (this process runs the studies whose index i has i mod N == K, 0 <= K < N) or auto");
        return Checked(index, count, $"--shard {text}");
    }

    /// <summary>This shard's studies, in plan order.</summary>
    public IReadOnlyList<T> Select<T>(IReadOnlyList<T> studies) => studies.Where((_, i) => i % Count == Index).ToList();

    /// <summary>A shard count above the number of studies would leave shards with nothing to do: refused for every shard alike.</summary>
    /// <exception cref="BadInputException"></exception>
    public void CheckAgainst(int studies)
    {
        if (Count > studies)
            throw new BadInputException($"--shard {this}: the plan has {studies} {(studies == 1 ? "study" : "studies")}, " +
                                        $"so shards {studies} to {Count - 1} would have none; use at most {studies} shards (--shard K/{studies})");
    }

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>For file names: <c>shard-0-of-3</c>.</summary>
    public string Name => $"shard-{Index}-of-{Count}";

    private static Shard FromScheduler(Func<string, string?> environment)
    {
        if (environment("SLURM_ARRAY_TASK_ID") is { } slurmId)
        {
            var count = environment("SLURM_ARRAY_TASK_COUNT");
            var min = environment("SLURM_ARRAY_TASK_MIN") ?? "0";
            if (!TryCount(slurmId, out int id) || !TryCount(min, out int first) || count is null || !TryCount(count, out int n))
                throw new BadInputException($"--shard auto: SLURM_ARRAY_TASK_ID={slurmId}, SLURM_ARRAY_TASK_MIN={min}, " +
                                            $"SLURM_ARRAY_TASK_COUNT={count}: expected whole numbers");
            return Checked(id - first, n, "--shard auto (from SLURM_ARRAY_TASK_ID)");
        }
        if (environment("JOB_COMPLETION_INDEX") is { } jobIndex)
        {
            var count = environment(CountVariable);
            if (!TryCount(jobIndex, out int index) || count is null || !TryCount(count, out int n))
                throw new BadInputException($"--shard auto: JOB_COMPLETION_INDEX={jobIndex}, {CountVariable}={count ?? "(unset)"}: " +
                                            $"a Kubernetes Indexed Job must set {CountVariable} to its completions " +
                                            "(peftqa submit --kubernetes does)");
            return Checked(index, n, "--shard auto (from JOB_COMPLETION_INDEX)");
        }
        throw new BadInputException("--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array) " +
                                    "nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; give --shard K/N");
    }

    private static Shard Checked(int index, int count, string what)
    {
        if (count < 1) throw new BadInputException($"{what}: the shard count must be at least 1 (got {count})");
        if (index < 0 || index >= count) throw new BadInputException($"{what}: shard {index} of {count} does not exist; K must be 0 to {count - 1}");
        return new Shard(index, count);
    }

    private static bool TryCount(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
