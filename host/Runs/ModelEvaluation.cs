using PeftQa.Host.Planning;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Runs;

/// <summary>
/// <c>peftqa eval</c>'s entry point: the model's answers to a data file, written as predictions.json (the official
/// format) and metrics.json (scores, precision, metric signatures) in the output folder.
/// </summary>
public sealed class ModelEvaluation(AnsweringModels answering, ILogger<ModelEvaluation> logger)
{
    private static readonly JsonSerializerOptions PrecisionJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <returns>Each metric's score, as metrics.json's "scores" holds them.</returns>
    /// <exception cref="BadInputException">Bad windows, output folder, metric, data, model or precision, found before any answering.</exception>
    public JsonObject Evaluate(EvalRequest request, CancellationToken cancellation)
    {
        if (request.MaxExamples is < 1) throw new BadInputException($"--max-examples {request.MaxExamples}: expected at least 1 question");
        WindowOptions.Check(request.MaxSequenceLength, request.DocStride, maxPositions: null);
        var output = WritableFolder.Ensure(request.Out, "--out");
        var metrics = request.Metrics.Select(name => answering.Plugins.Require<IMetric>(name, $"--metrics {name}")).ToList();
        var data = TaskDataLoader.Limit(DataSources.Load(request.Data), request.MaxExamples, request.Seed);
        if (data.Examples.Count == 0) throw new BadInputException($"{request.Data}: no usable questions");
        PredictionScoring.WarnOfRepeatedIds(logger, data.Examples, request.Data);

        var (model, precision) = answering.Open(request.Model, request.Precision);
        using var modelInUse = model;
        WindowOptions.Check(request.MaxSequenceLength, request.DocStride, model.MaxPositions, model.VirtualTokens);
        var features = new FeatureBuilder(model.Tokenizer, request.MaxSequenceLength, request.DocStride).Build(data.Examples, cancellation);
        var result = QaEvaluator.Evaluate(
            model.Forward,
            new EvalSet("eval", data.Examples, features),
            metrics,
            new EvaluationSettings(),
            model.Tokenizer.PadId,
            model.Device,
            cancellation,
            EvaluationProgress.Logged(logger, $"eval on {request.Data}"));

        var predictions = new JsonObject(result.Predictions.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value.Text)));
        var indented = new JsonSerializerOptions { WriteIndented = true };
        AtomicFile.WriteAllText(Path.Combine(output, "predictions.json"), predictions.ToJsonString(indented));
        var scores = new JsonObject(result.Scores.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value)));
        var report = new JsonObject
        {
            ["model"] = request.Model.Model, ["adapter"] = request.Model.Adapter, ["engine"] = request.Model.Engine.ToString().ToLowerInvariant(),
            ["data"] = request.Data, ["questions"] = data.Examples.Count,
            ["windows"] = features.Count, ["seconds"] = Math.Round(result.Seconds, 2), ["scores"] = scores.DeepClone(),
            ["precision"] = JsonSerializer.SerializeToNode(precision, PrecisionJson),
            ["signatures"] = new JsonObject(metrics
                .Where(m => m.Signature is not null)
                .Select(m => KeyValuePair.Create(m.Name, (JsonNode?)m.Signature))),
        };
        AtomicFile.WriteAllText(Path.Combine(output, "metrics.json"), report.ToJsonString(indented));
        logger.LogInformation("{Questions} questions in {Seconds:F1} s; wrote {Folder}", data.Examples.Count, result.Seconds, output);
        return scores;
    }
}
