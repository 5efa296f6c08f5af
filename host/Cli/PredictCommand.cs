using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeftQa.Host.Data;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Foundation;
using PeftQa.Host.Reporting;

namespace PeftQa.Host.Cli;

/// <summary>
/// <c>peftqa predict</c>: the answer to one question (--question, --context) with its score, or, without them, one JSON
/// object per line on standard input (<c>{"id": ..., "question": ..., "context": ...}</c>) answered one JSON line each.
/// </summary>
public sealed class PredictCommand(PluginLoader pluginLoader, TorchRuntime torch, IOptions<PeftQaSettings> settings, CliConsole console,
    ILogger<PredictCommand> logger)
{
    public int Execute(PredictRequest request, TextReader input, CancellationToken cancellation)
    {
        if ((request.Question is null) != (request.Context is null))
            throw new BadInputException("give both --question and --context, or neither to read JSON lines from standard input");
        var plugins = pluginLoader.Load(PluginRoots.For(settings.Value.PluginFolders, []));
        var precision = torch.PrecisionFor(request.Engine);
        using var model = AnsweringModel.Load(request.Engine, request.Model, request.Adapter, plugins, torch.Device, torch.Threads, logger,
            request.AllowPickle, request.IgnoreMismatched, request.Engine == AnsweringEngine.Torch ? precision : null);

        if (request.Question is not null)
        {
            var answer = Answer(model, [new QaExample("q", "", request.Context!, request.Question, [], false)], cancellation)[0];
            console.Out.WriteLine(answer.Text);
            console.Out.WriteLine($"score {answer.Score:F3} (probability {answer.Probability:F3}), characters {answer.Start}-{answer.End}");
            return PeftQaCommandLine.Success;
        }

        int lineNumber = 0, failures = 0;
        while (input.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string id;
            QaExample example;
            try
            {
                var node = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("expected a JSON object");
                var question = node["question"]?.GetValue<string>() ?? throw new JsonException("missing \"question\"");
                var context = node["context"]?.GetValue<string>() ?? throw new JsonException("missing \"context\"");
                id = node["id"]?.ToString() ?? lineNumber.ToString();
                example = new QaExample(id, "", context, question, [], false);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                failures++;
                console.Error.WriteLine($"error: standard input line {lineNumber}: {e.Message}; expected {{\"question\": \"...\", \"context\": \"...\"}}");
                continue;
            }
            var answer = Answer(model, [example], cancellation)[0];
            console.Out.WriteLine(new JsonObject
            {
                ["id"] = id, ["answer"] = answer.Text, ["score"] = Math.Round(answer.Score, 4), ["probability"] = Math.Round(answer.Probability, 4),
                ["start"] = answer.Start, ["end"] = answer.End,
            }.ToJsonString());
        }
        return failures == 0 ? PeftQaCommandLine.Success : PeftQaCommandLine.BadInput;
    }

    private PredictedAnswer[] Answer(AnsweringModel model, IReadOnlyList<QaExample> examples, CancellationToken cancellation)
    {
        var windows = new TrainingSettings();
        var answers = new EvaluationSettings();
        var features = new FeatureBuilder(model.Tokenizer, windows.MaxSequenceLength, windows.DocStride).Build(examples, cancellation);
        var progress = EvaluationProgress.Logged(logger, $"question {examples[0].Id}");
        var logits = SpanLogits.Predict(model.Forward, features, answers.BatchSize, model.Tokenizer.PadId, model.Device,
            done => progress(done, features.Count), cancellation);
        return AnswerExtractor.Extract(examples, features, logits, answers.NBestSize, answers.MaxAnswerLength, allowNoAnswer: false);
    }
}
