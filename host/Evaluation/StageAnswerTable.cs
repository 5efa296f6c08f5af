using PeftQa.Abstractions;

namespace PeftQa.Host.Evaluation;

/// <summary>
/// One study's answers at every stage, for the intervals of everything computed from its accuracy matrix: stage 0 is
/// before any training (the run's baseline), stage i + 1 after training through task i; columns are the trained tasks in
/// order, then the retention tasks. Every stage of a column answers the same questions, so a resample draws a column's
/// questions once and scores every stage on them (paired, as BWT and a retention drop need).
/// </summary>
public sealed class StageAnswerTable
{
    private readonly double[][][] perQuestion;

    private StageAnswerTable(double[][][] perQuestion, IReadOnlyList<string[]> questionIds, int trainedTasks)
    {
        this.perQuestion = perQuestion;
        QuestionIds = questionIds;
        TrainedTasks = trainedTasks;
    }

    /// <summary>Per column, its questions' ids in the order every stage holds them.</summary>
    public IReadOnlyList<string[]> QuestionIds { get; }

    public int TrainedTasks { get; }

    public int Stages => perQuestion.Length;

    public int Columns => QuestionIds.Count;

    /// <summary>
    /// The table of <paramref name="metric"/>, or null when it cannot be resampled question by question (a corpus metric
    /// such as BLEU is not a mean over questions), a stage lacks a column's answers, or two stages of a column answered
    /// different questions.
    /// </summary>
    /// <param name="stages">[stage][column]: the answers, null where not kept.</param>
    public static StageAnswerTable? Of(IReadOnlyList<IReadOnlyList<IReadOnlyList<AnswerPair>?>> stages, int trainedTasks, IMetric metric)
    {
        if (stages.Count == 0 || stages.Any(s => s.Count != stages[0].Count || s.Any(a => a is null || a.Count == 0))) return null;
        var ids = Enumerable.Range(0, stages[0].Count).Select(j => stages[0][j]!.Select(a => a.QuestionId).ToArray()).ToList();
        var scores = new double[stages.Count][][];
        for (int s = 0; s < stages.Count; s++)
        {
            scores[s] = new double[ids.Count][];
            for (int j = 0; j < ids.Count; j++)
            {
                var answers = stages[s][j]!;
                if (!answers.Select(a => a.QuestionId).SequenceEqual(ids[j], StringComparer.Ordinal)) return null;
                var parts = answers.Select(a => metric.Compute([a])).ToArray();
                // Only a mean over questions can be resampled as numbers (see Bootstrap).
                double full = metric.Compute(answers);
                if (Math.Abs(parts.Average() - full) > 1e-9 * Math.Max(1, Math.Abs(full))) return null;
                scores[s][j] = parts;
            }
        }
        return new StageAnswerTable(scores, ids, trainedTasks);
    }

    /// <summary>The scores [stage][column] on the questions drawn for each column (all of them when <paramref name="drawn"/> is null).</summary>
    public double[][] Scores(int[][]? drawn)
    {
        var result = new double[Stages][];
        for (int s = 0; s < Stages; s++)
        {
            result[s] = new double[Columns];
            for (int j = 0; j < Columns; j++)
            {
                var parts = perQuestion[s][j];
                if (drawn is null) { result[s][j] = parts.Average(); continue; }
                double sum = 0;
                foreach (int q in drawn[j]) sum += parts[q];
                result[s][j] = sum / drawn[j].Length;
            }
        }
        return result;
    }

    /// <summary>Two tables answered the same questions, column by column, so they can be resampled together.</summary>
    public bool Pairs(StageAnswerTable other) =>
        Columns == other.Columns && TrainedTasks == other.TrainedTasks
        && QuestionIds.Zip(other.QuestionIds).All(p => p.First.SequenceEqual(p.Second, StringComparer.Ordinal));
}
