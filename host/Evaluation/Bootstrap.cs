using PeftQa.Abstractions;

namespace PeftQa.Host.Evaluation;

/// <summary>
/// Percentile bootstrap over questions (Efron and Tibshirani; the paired form is Koehn 2004's for MT). A study's score on
/// several tasks is the mean over tasks of the metric on each, so each resample draws every task's questions with
/// replacement, independently, and takes the same mean. Paired: both studies are scored on the same drawn questions.
/// Seeded, so a report is reproducible. Metrics that are a mean over questions (exact match, F1) are scored once per
/// question and resampled as numbers; others (corpus BLEU) are recomputed on every resample.
/// </summary>
public static class Bootstrap
{
    public const int DefaultResamples = 1000;

    /// <param name="tasks">Per task, the answers to its questions.</param>
    public static ScoreInterval Interval(IReadOnlyList<IReadOnlyList<AnswerPair>> tasks, IMetric metric, int seed, int resamples = DefaultResamples)
    {
        var scorers = tasks.Select(t => TaskScorer.For(t, metric)).ToList();
        var random = new Random(seed);
        var samples = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            double sum = 0;
            foreach (var scorer in scorers) sum += scorer.Score(Draw(random, scorer.Count));
            samples[b] = sum / scorers.Count;
        }
        return new ScoreInterval(scorers.Average(s => s.Full), Percentile(samples, 0.025), Percentile(samples, 0.975));
    }

    /// <summary><paramref name="study"/> minus <paramref name="reference"/>, task by task on the questions both answered.</summary>
    /// <exception cref="ArgumentException">The tasks differ in number, or a task's questions differ.</exception>
    public static ScoreDifference Difference(
        IReadOnlyList<IReadOnlyList<AnswerPair>> study,
        IReadOnlyList<IReadOnlyList<AnswerPair>> reference,
        IMetric metric,
        int seed,
        int resamples = DefaultResamples)
    {
        if (study.Count != reference.Count) throw new ArgumentException($"{study.Count} tasks against {reference.Count}");
        var pairs = study.Zip(reference)
            .Select((t, j) => (Study: TaskScorer.For(t.First, metric), Reference: TaskScorer.For(Aligned(t.First, t.Second, j), metric)))
            .ToList();
        var random = new Random(seed);
        var samples = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            double sum = 0;
            foreach (var (ours, theirs) in pairs)
            {
                var drawn = Draw(random, ours.Count);
                sum += ours.Score(drawn) - theirs.Score(drawn);
            }
            samples[b] = sum / pairs.Count;
        }
        return new ScoreDifference(pairs.Average(p => p.Study.Full - p.Reference.Full), Percentile(samples, 0.025), Percentile(samples, 0.975));
    }

    /// <summary>
    /// The reference's answers in the study's question order. A repeated question id (the official script scores every
    /// occurrence) pairs occurrence by occurrence, in order.
    /// </summary>
    private static List<AnswerPair> Aligned(IReadOnlyList<AnswerPair> study, IReadOnlyList<AnswerPair> reference, int task)
    {
        var byId = reference.GroupBy(p => p.QuestionId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new Queue<AnswerPair>(g), StringComparer.Ordinal);
        var aligned = new List<AnswerPair>(study.Count);
        foreach (var pair in study)
        {
            if (!byId.TryGetValue(pair.QuestionId, out var occurrences) || !occurrences.TryDequeue(out var match)) break;
            aligned.Add(match);
        }
        if (aligned.Count != study.Count || study.Count != reference.Count)
            throw new ArgumentException(
                $"task {task}: the two studies answered different questions ({study.Count} and {reference.Count}), so they cannot be paired");
        return aligned;
    }

    private static int[] Draw(Random random, int count)
    {
        var drawn = new int[count];
        for (int i = 0; i < count; i++) drawn[i] = random.Next(count);
        return drawn;
    }

    /// <summary>Linear interpolation between order statistics (numpy's default, "linear").</summary>
    public static double Percentile(double[] values, double quantile)
    {
        var sorted = values.Order().ToArray();
        double position = quantile * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>One task's answers under one metric: the full score, and the score of any resample of its questions.</summary>
    private sealed class TaskScorer
    {
        private readonly IReadOnlyList<AnswerPair> answers;
        private readonly IMetric metric;
        private readonly double[]? perQuestion;

        private TaskScorer(IReadOnlyList<AnswerPair> answers, IMetric metric, double full, double[]? perQuestion) =>
            (this.answers, this.metric, Full, this.perQuestion) = (answers, metric, full, perQuestion);

        public double Full { get; }

        public int Count => answers.Count;

        public static TaskScorer For(IReadOnlyList<AnswerPair> answers, IMetric metric)
        {
            if (answers.Count == 0) throw new ArgumentException("a task without answers has no interval");
            double full = metric.Compute(answers);
            var perQuestion = answers.Select(a => metric.Compute([a])).ToArray();
            // A mean over questions when the parts average to the whole; then resampling numbers is exact and fast.
            bool isMean = Math.Abs(perQuestion.Average() - full) <= 1e-9 * Math.Max(1, Math.Abs(full));
            return new TaskScorer(answers, metric, full, isMean ? perQuestion : null);
        }

        public double Score(int[] drawn)
        {
            if (perQuestion is not null)
            {
                double sum = 0;
                foreach (var i in drawn) sum += perQuestion[i];
                return sum / drawn.Length;
            }
            return metric.Compute(drawn.Select(i => answers[i]).ToList());
        }
    }
}
