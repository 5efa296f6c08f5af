using PeftQa.Host.Planning;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Foundation;
using PeftQa.Host.Reporting;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Cli;

/// <summary><c>peftqa eval</c>: predictions.json (official format), nbest-free metrics.json, and the scores on standard output.</summary>
public sealed class EvalCommand(AnsweringModels answering, CliConsole console, ILogger<EvalCommand> logger)
{
    public static Command Create(VerbSetup verbs)
    {
        var model = new ModelOptions();
        var data = new Option<string>("--data") { Description = "SQuAD JSON to evaluate on.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for predictions.json and metrics.json.", Required = true };
        var metrics = new Option<string[]>("--metrics")
        {
            Description = "Metric plugins.",
            DefaultValueFactory = _ => ["exact_match", "f1", "bleu", "rougeL"],
            AllowMultipleArgumentsPerToken = true,
        };
        MetricNames.RefuseRepeated(metrics);
        var maxExamples = new Option<int?>("--max-examples") { Description = "Evaluate a seeded sample of this many questions." };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the --max-examples sample (a recipe's maxEvalExamples uses the recipe's seed).", DefaultValueFactory = _ => 42,
        };
        var maxLength = new Option<int>("--max-length")
            { Description = "Tokens per window.", DefaultValueFactory = _ => new TrainingSettings().MaxSequenceLength };
        var docStride = new Option<int>("--doc-stride")
            { Description = "Overlap between windows.", DefaultValueFactory = _ => new TrainingSettings().DocStride };
        var precision = new PrecisionOption("the default, auto; --engine torch only");
        var eval = new Command("eval", "Predict answers for a data file, write predictions.json and metrics.json.")
            { data, output, metrics, maxExamples, seed, maxLength, docStride, precision.Option };
        foreach (var option in model.For(answers: true)) eval.Options.Add(option);
        verbs.Handle(eval, (parse, services, token) => services.GetRequiredService<EvalCommand>().Execute(new EvalRequest(model.Read(parse),
            parse.GetValue(data)!, parse.GetValue(output)!, parse.GetValue(metrics)!, parse.GetValue(maxExamples), parse.GetValue(maxLength),
            parse.GetValue(docStride), parse.GetValue(seed), precision.Read(parse)), token));
        return eval;
    }

    private static readonly JsonSerializerOptions PrecisionJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public int Execute(EvalRequest request, CancellationToken cancellation)
    {
        if (request.MaxExamples is < 1) throw new BadInputException($"--max-examples {request.MaxExamples}: expected at least 1 question");
        WindowOptions.Check(request.MaxSequenceLength, request.DocStride, maxPositions: null);
        var output = WritableFolder.Ensure(request.Out, "--out");
        var metrics = request.Metrics.Select(name => answering.Plugins.Require<IMetric>(name, $"--metrics {name}")).ToList();
        var data = TaskDataLoader.Limit(DataSources.Load(request.Data), request.MaxExamples, request.Seed);
        if (data.Examples.Count == 0) throw new BadInputException($"{request.Data}: no usable questions");
        ScoreCommand.WarnOfRepeatedIds(logger, data.Examples, request.Data);

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
        console.Out.WriteLine(scores.ToJsonString());
        logger.LogInformation("{Questions} questions in {Seconds:F1} s; wrote {Folder}", data.Examples.Count, result.Seconds, output);
        return PeftQaCommandLine.Success;
    }
}
