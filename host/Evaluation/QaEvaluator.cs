using System.Diagnostics;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using static TorchSharp.torch;

namespace PeftQa.Host.Evaluation;

/// <summary>Predicts answers for an evaluation set and scores them with the metric plugins.</summary>
public static class QaEvaluator
{
    /// <param name="progress">Called now and then with (windows done, windows in all).</param>
    public static EvaluationResult Evaluate(BertForQuestionAnswering model, EvalSet set, IReadOnlyList<IMetric> metrics, EvaluationSettings settings,
        int padId, Device device, CancellationToken cancellation = default, Action<int, int>? progress = null,
        Func<FeatureBatch, (Tensor Start, Tensor End)>? forward = null)
    {
        var watch = Stopwatch.StartNew();
        var logits = SpanLogits.Predict(model, set.Features, settings.BatchSize, padId, device,
            progress is null ? null : done => progress(done, set.Features.Count), cancellation, forward);
        return Answer(set, logits, metrics, settings, watch);
    }

    /// <summary>The same for any engine that maps a batch to its logits (an exported ONNX model).</summary>
    public static EvaluationResult Evaluate(Func<FeatureBatch, (Tensor Start, Tensor End)> forward, EvalSet set, IReadOnlyList<IMetric> metrics,
        EvaluationSettings settings, int padId, Device device, CancellationToken cancellation = default, Action<int, int>? progress = null)
    {
        var watch = Stopwatch.StartNew();
        var logits = SpanLogits.Predict(forward, set.Features, settings.BatchSize, padId, device,
            progress is null ? null : done => progress(done, set.Features.Count), cancellation);
        return Answer(set, logits, metrics, settings, watch);
    }

    private static EvaluationResult Answer(
        EvalSet set, FeatureLogits[] logits, IReadOnlyList<IMetric> metrics, EvaluationSettings settings, Stopwatch watch)
    {
        var answers = AnswerExtractor.Extract(set.Examples, set.Features, logits, settings.NBestSize, settings.MaxAnswerLength, set.AllowNoAnswer);
        var predictions = new Dictionary<string, PredictedAnswer>(StringComparer.Ordinal);
        for (int i = 0; i < set.Examples.Count; i++) predictions[set.Examples[i].Id] = answers[i];
        var scores = Score(set.Examples, predictions.ToDictionary(p => p.Key, p => p.Value.Text), metrics);
        return new EvaluationResult(scores, predictions, watch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Every metric over (prediction, gold answers) pairs; a question without a prediction scores as an empty answer, as in
    /// the official script. Unanswerable questions have the single gold answer "".
    /// </summary>
    public static IReadOnlyDictionary<string, double> Score(IReadOnlyList<QaExample> examples, IReadOnlyDictionary<string, string> predictions,
        IReadOnlyList<IMetric> metrics)
    {
        var pairs = examples.Select(e => new AnswerPair(e.Id, predictions.GetValueOrDefault(e.Id, ""),
            e.IsImpossible ? [""] : e.Answers.Select(a => a.Text).ToList())).ToList();
        return metrics.ToDictionary(m => m.Name, m => m.Compute(pairs), StringComparer.Ordinal);
    }
}
