using PeftQa.Abstractions;

namespace PeftQa.Host.Evaluation;

/// <summary>
/// Percentile bootstrap intervals for everything a forgetting study computes from its accuracy matrix: each R entry
/// and b entry, every continual metric (ACC, BWT, FWT, forgetting, or a plugin's), and each retention task's drop from
/// the start (start minus end: positive is forgotten). A resample draws every column's questions with replacement once
/// and scores every stage on the same draw, so stage-to-stage differences (BWT, a retention drop) are paired. Two
/// studies on the same questions are resampled with the same draws (same seed), which pairs their difference as
/// <see cref="Bootstrap.Difference"/> does.
/// </summary>
public static class ContinualBootstrap
{
    /// <summary>The intervals of one study, or of one study minus a reference when <paramref name="reference"/> is given.</summary>
    public static ContinualIntervals Compute(StageAnswerTable study, IReadOnlyList<IContinualMetric> metrics, int seed, int resamples,
        StageAnswerTable? reference = null)
    {
        if (reference is not null && !study.Pairs(reference))
            throw new ArgumentException("the two studies answered different questions, so they cannot be paired");
        var full = Statistics(study, study.Scores(null), metrics, reference, reference?.Scores(null));
        var samples = new double[resamples][];
        var random = new Random(seed);
        for (int b = 0; b < resamples; b++)
        {
            var drawn = study.QuestionIds.Select(ids => Draw(random, ids.Length)).ToArray();
            samples[b] = Statistics(study, study.Scores(drawn), metrics, reference, reference?.Scores(drawn));
        }
        var intervals = new ScoreInterval?[full.Length];
        for (int k = 0; k < full.Length; k++)
        {
            if (double.IsNaN(full[k])) continue;
            var values = samples.Select(s => s[k]).Where(v => !double.IsNaN(v)).ToArray();
            intervals[k] = values.Length == 0
                ? null
                : new ScoreInterval(full[k], Bootstrap.Percentile(values, 0.025), Bootstrap.Percentile(values, 0.975));
        }
        var names = metrics.Select(m => m.Name).ToList();
        return new ContinualIntervals(study.TrainedTasks, study.Columns - study.TrainedTasks, study.Stages - 1, names, intervals);
    }

    /// <summary>The statistics in <see cref="ContinualIntervals"/>'s order; NaN where undefined (a metric of an unfinished study).</summary>
    private static double[] Statistics(
        StageAnswerTable table, double[][] scores, IReadOnlyList<IContinualMetric> metrics, StageAnswerTable? reference, double[][]? referenceScores)
    {
        var ours = Of(table, scores, metrics);
        if (reference is null) return ours;
        var theirs = Of(reference, referenceScores!, metrics);
        return ours.Zip(theirs, (a, b) => a - b).ToArray();
    }

    private static double[] Of(StageAnswerTable table, double[][] s, IReadOnlyList<IContinualMetric> metrics)
    {
        int trained = table.TrainedTasks, stages = table.Stages, retention = table.Columns - trained;
        var values = new List<double>();
        // Every stage's score on every column: b (stage 0), then R rows, trained columns then retention columns.
        for (int stage = 0; stage < stages; stage++)
            for (int j = 0; j < table.Columns; j++) values.Add(s[stage][j]);
        bool complete = stages == trained + 1;
        foreach (var metric in metrics)
        {
            if (!complete) { values.Add(double.NaN); continue; }
            var matrix = new AccuracyMatrix(Enumerable.Range(0, trained).Select(j => s[0][j]).ToList(),
                Enumerable.Range(1, trained).Select(i => (IReadOnlyList<double>)Enumerable.Range(0, trained).Select(j => s[i][j]).ToList()).ToList());
            values.Add(metric.Compute(matrix).Value ?? double.NaN);
        }
        for (int r = 0; r < retention; r++) values.Add(complete ? s[0][trained + r] - s[stages - 1][trained + r] : double.NaN);
        return values.ToArray();
    }

    private static int[] Draw(Random random, int count)
    {
        var drawn = new int[count];
        for (int i = 0; i < count; i++) drawn[i] = random.Next(count);
        return drawn;
    }
}
