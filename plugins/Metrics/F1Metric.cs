using PeftQa.Abstractions;

namespace PeftQa.Plugins.Metrics;

/// <summary>SQuAD v1.1 token F1: harmonic mean of token-multiset precision and recall, max over gold answers, averaged, 0-100.</summary>
public sealed class F1Metric : IMetric
{
    public string Name => "f1";

    public string Description => "SQuAD v1.1 token F1 (official normalization), max over gold answers, 0-100.";

    public string? Signature => null;

    public double Compute(IReadOnlyList<AnswerPair> answers)
    {
        if (answers.Count == 0) return 0;
        double total = 0;
        foreach (var answer in answers)
        {
            var prediction = SquadNormalization.Tokens(answer.Prediction);
            total += answer.GoldAnswers.Count == 0 ? 0 : answer.GoldAnswers.Max(gold => TokenF1(prediction, SquadNormalization.Tokens(gold)));
        }
        return 100.0 * total / answers.Count;
    }

    /// <summary>F1 of one prediction against one gold answer, as in evaluate-v1.1.py's f1_score.</summary>
    public static double TokenF1(IReadOnlyList<string> prediction, IReadOnlyList<string> gold)
    {
        var goldCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in gold) goldCounts[token] = goldCounts.GetValueOrDefault(token) + 1;
        int common = 0;
        foreach (var token in prediction)
        {
            if (goldCounts.TryGetValue(token, out int left) && left > 0)
            {
                common++;
                goldCounts[token] = left - 1;
            }
        }
        if (common == 0) return 0;
        double precision = 1.0 * common / prediction.Count;
        double recall = 1.0 * common / gold.Count;
        return 2 * precision * recall / (precision + recall);
    }
}
