namespace PeftQa.Abstractions;

/// <summary>
/// A metric over predicted answers, for example SQuAD exact match or F1. Scores are on a 0..100 scale.
/// One plugin assembly may hold several metrics; each is its own class.
/// </summary>
[PluginKind("metric")]
public interface IMetric : IPeftQaPlugin
{
    /// <summary>
    /// A line that pins how the score was computed (tokenizer, smoothing, version), printed beside the score;
    /// null when the name says it all.
    /// </summary>
    string? Signature { get; }

    /// <summary>The score over all questions (a corpus-level value, not necessarily a mean of per-question values).</summary>
    double Compute(IReadOnlyList<AnswerPair> answers);
}
