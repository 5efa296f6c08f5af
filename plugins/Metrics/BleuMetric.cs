using PeftQa.Abstractions;

namespace PeftQa.Plugins.Metrics;

/// <summary>
/// Corpus BLEU with sacrebleu's defaults: 13a tokenization, case-sensitive, n-grams up to 4, "exp" smoothing, the
/// brevity penalty from the reference length closest to each prediction (shorter on ties), every gold answer a
/// reference. For short extractive answers BLEU is unstable; EM and F1 stay the primary scores.
/// </summary>
public sealed class BleuMetric : IMetric
{
    private const int MaxOrder = 4;

    public string Name => "bleu";

    public string Description => "Corpus BLEU as sacrebleu computes it by default (13a, exp smoothing, case-sensitive), 0-100.";

    public string? Signature => "nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.x (sacrebleu defaults)";

    public double Compute(IReadOnlyList<AnswerPair> answers)
    {
        var correct = new long[MaxOrder];
        var total = new long[MaxOrder];
        long predictionLength = 0, referenceLength = 0;
        foreach (var answer in answers)
        {
            var hypothesis = SacreBleuTokenizer13a.Tokenize(answer.Prediction);
            var references = answer.GoldAnswers.Select(SacreBleuTokenizer13a.Tokenize).ToList();
            if (references.Count == 0) continue;
            predictionLength += hypothesis.Length;
            referenceLength += references.Select(r => r.Length)
                .OrderBy(length => Math.Abs(length - hypothesis.Length)).ThenBy(length => length).First();
            for (int n = 1; n <= MaxOrder; n++)
            {
                var hypothesisCounts = NGrams(hypothesis, n);
                var maxReferenceCounts = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var reference in references)
                    foreach (var (gram, count) in NGrams(reference, n))
                        maxReferenceCounts[gram] = Math.Max(maxReferenceCounts.GetValueOrDefault(gram), count);
                foreach (var (gram, count) in hypothesisCounts)
                    correct[n - 1] += Math.Min(count, maxReferenceCounts.GetValueOrDefault(gram));
                total[n - 1] += Math.Max(0, hypothesis.Length - n + 1);
            }
        }
        return Score(correct, total, predictionLength, referenceLength);
    }

    /// <summary>sacrebleu's compute_bleu with smooth_method "exp" and no effective order.</summary>
    public static double Score(long[] correct, long[] total, long predictionLength, long referenceLength)
    {
        var precisions = new double[MaxOrder];
        double smooth = 1;
        for (int n = 0; n < MaxOrder; n++)
        {
            if (total[n] == 0) break;
            if (correct[n] == 0)
            {
                smooth *= 2;
                precisions[n] = 100.0 / (smooth * total[n]);
            }
            else precisions[n] = 100.0 * correct[n] / total[n];
        }
        double brevity = predictionLength < referenceLength
            ? predictionLength > 0 ? Math.Exp(1 - (double)referenceLength / predictionLength) : 0
            : 1;
        double logSum = precisions.Sum(p => p == 0 ? -9999999999 : Math.Log(p));
        return brevity * Math.Exp(logSum / MaxOrder);
    }

    private static Dictionary<string, int> NGrams(string[] tokens, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= tokens.Length; i++)
        {
            var gram = string.Join(' ', tokens, i, n);
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        return counts;
    }
}
