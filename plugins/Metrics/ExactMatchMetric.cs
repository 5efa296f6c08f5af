using PeftQa.Abstractions;

namespace PeftQa.Plugins.Metrics;

/// <summary>SQuAD v1.1 exact match: 100 x the share of questions whose normalized prediction equals a normalized gold answer.</summary>
public sealed class ExactMatchMetric : IMetric
{
    public string Name => "exact_match";

    public string Description => "SQuAD v1.1 exact match (official normalization), max over gold answers, 0-100.";

    public string? Signature => null;

    public double Compute(IReadOnlyList<AnswerPair> answers)
    {
        if (answers.Count == 0) return 0;
        double total = 0;
        foreach (var answer in answers)
        {
            var prediction = SquadNormalization.Normalize(answer.Prediction);
            total += answer.GoldAnswers.Any(gold => SquadNormalization.Normalize(gold) == prediction) ? 1 : 0;
        }
        return 100.0 * total / answers.Count;
    }
}
