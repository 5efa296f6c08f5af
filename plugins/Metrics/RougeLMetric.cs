using System.Text;
using PeftQa.Abstractions;

namespace PeftQa.Plugins.Metrics;

/// <summary>
/// ROUGE-L F-measure as google-research rouge-score computes it (LCS of tokens; P = LCS/|prediction|,
/// R = LCS/|reference|, F = 2PR/(P+R); the best gold answer counts; no stemming), averaged over questions, 0-100.
/// Tokenization deliberately differs in one way: rouge-score keeps only [a-z0-9] runs, silently dropping every
/// non-ASCII letter ("café" becomes "caf", "東京" disappears); this lowercases and keeps runs of any Unicode letter or
/// digit. On ASCII text the two agree.
/// </summary>
public sealed class RougeLMetric : IMetric
{
    public string Name => "rougeL";

    public string Description => "ROUGE-L F-measure (rouge-score's LCS, best gold answer), Unicode-aware tokens, 0-100.";

    public string? Signature => "rougeL|fmeasure|max-over-refs|tok:lowercase-unicode-alnum|stem:no";

    public double Compute(IReadOnlyList<AnswerPair> answers)
    {
        if (answers.Count == 0) return 0;
        double total = 0;
        foreach (var answer in answers)
        {
            var prediction = Tokenize(answer.Prediction);
            total += answer.GoldAnswers.Count == 0 ? 0 : answer.GoldAnswers.Max(gold => FMeasure(prediction, Tokenize(gold)));
        }
        return 100.0 * total / answers.Count;
    }

    public static double FMeasure(IReadOnlyList<string> prediction, IReadOnlyList<string> reference)
    {
        if (prediction.Count == 0 || reference.Count == 0) return 0;
        int lcs = LongestCommonSubsequence(prediction, reference);
        if (lcs == 0) return 0;
        double precision = (double)lcs / prediction.Count;
        double recall = (double)lcs / reference.Count;
        return 2 * precision * recall / (precision + recall);
    }

    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (var rune in text.ToLowerInvariant().EnumerateRunes())
        {
            if (System.Text.Rune.IsLetterOrDigit(rune)) current.Append(rune.ToString());
            else if (current.Length > 0) { tokens.Add(current.ToString()); current.Clear(); }
        }
        if (current.Length > 0) tokens.Add(current.ToString());
        return tokens;
    }

    private static int LongestCommonSubsequence(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
        {
            for (int j = 1; j <= b.Count; j++)
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : Math.Max(previous[j], current[j - 1]);
            (previous, current) = (current, previous);
        }
        return previous[b.Count];
    }
}
