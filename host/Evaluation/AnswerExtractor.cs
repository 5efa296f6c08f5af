using PeftQa.Host.Data;

namespace PeftQa.Host.Evaluation;

/// <summary>
/// Hugging Face's postprocess_qa_predictions: per window, the top-n start and end positions; pairs outside the context,
/// reversed, or longer than the maximum answer length are dropped; score = start + end logit; all windows of an example
/// are pooled and the best kept; the text is cut from the original context by character offsets. For SQuAD v2 data the
/// null answer (the minimum over windows of start[0] + end[0]) wins when it beats the best span by more than the threshold.
/// </summary>
public static class AnswerExtractor
{
    public static PredictedAnswer[] Extract(IReadOnlyList<QaExample> examples, IReadOnlyList<QaFeature> features, IReadOnlyList<FeatureLogits> logits,
        int nBestSize, int maxAnswerLength, bool allowNoAnswer, double nullThreshold = 0)
    {
        var byExample = new List<int>[examples.Count];
        for (int f = 0; f < features.Count; f++) (byExample[features[f].ExampleIndex] ??= []).Add(f);

        var answers = new PredictedAnswer[examples.Count];
        for (int e = 0; e < examples.Count; e++)
        {
            var candidates = new List<(double Score, int Start, int End)>();
            double nullScore = double.PositiveInfinity;
            foreach (int f in byExample[e] ?? [])
            {
                var feature = features[f];
                var (start, end) = (logits[f].Start, logits[f].End);
                nullScore = Math.Min(nullScore, start[0] + end[0]);
                foreach (int s in TopIndices(start, nBestSize))
                foreach (int t in TopIndices(end, nBestSize))
                {
                    if (s < feature.ContextTokenStart || t < feature.ContextTokenStart
                        || s >= feature.ContextTokenEnd || t >= feature.ContextTokenEnd) continue;
                    if (t < s || t - s + 1 > maxAnswerLength) continue;
                    var startChar = feature.ContextOffsets[s - feature.ContextTokenStart].Start;
                    var endChar = feature.ContextOffsets[t - feature.ContextTokenStart].End;
                    candidates.Add((start[s] + end[t], startChar, endChar));
                }
            }
            var context = examples[e].Context;
            var nBest = candidates.OrderByDescending(c => c.Score).Take(nBestSize).ToList();
            if (nBest.Count == 0)
            {
                answers[e] = new PredictedAnswer("", 0, 0, 0, 0);
                continue;
            }
            double max = Math.Max(nBest[0].Score, allowNoAnswer ? nullScore : double.NegativeInfinity);
            double partition = nBest.Sum(c => Math.Exp(c.Score - max))
                               + (allowNoAnswer && !double.IsInfinity(nullScore) ? Math.Exp(nullScore - max) : 0);
            var best = nBest[0];
            if (allowNoAnswer && nullScore - best.Score > nullThreshold)
                answers[e] = new PredictedAnswer("", nullScore, Math.Exp(nullScore - max) / partition, 0, 0);
            else
                answers[e] = new PredictedAnswer(
                    context[best.Start..best.End], best.Score, Math.Exp(best.Score - max) / partition, best.Start, best.End);
        }
        return answers;
    }

    /// <summary>Indices of the <paramref name="count"/> largest values, largest first (ties: lower index first).</summary>
    private static IEnumerable<int> TopIndices(float[] values, int count) =>
        Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).ThenBy(i => i).Take(count);
}
