using PeftQa.Abstractions;

namespace SamplePlugin;

/// <summary>Share of predictions with as many words as some gold answer. Uses a private dependency (SamplePluginHelper).</summary>
public sealed class SameLengthMetric : IMetric
{
    public SameLengthMetric() => _ = SamplePluginHelper.Tokens.Count("warm up the dependency");

    public string Name => "sample_same_length";

    public string Description => "Third-party sample: % of predictions with the word count of a gold answer.";

    public string? Signature => "sample_same_length|whitespace-words";

    public double Compute(IReadOnlyList<AnswerPair> answers) => answers.Count == 0 ? 0
        : 100.0 * answers.Count(a => a.GoldAnswers.Any(g => SamplePluginHelper.Tokens.Count(g) == SamplePluginHelper.Tokens.Count(a.Prediction))) / answers.Count;
}
