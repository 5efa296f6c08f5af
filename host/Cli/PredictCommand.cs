using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Host.Data;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Foundation;
using PeftQa.Host.Reporting;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Cli;

/// <summary>
/// <c>peftqa predict</c>: the answer to one question (--question, --context) with its score, or, without them, one JSON
/// object per line on standard input (<c>{"id": ..., "question": ..., "context": ...}</c>) answered one JSON line each.
/// Answer offsets count code points, as SQuAD's answer_start does (Python string indices), not UTF-16 units.
/// </summary>
public sealed class PredictCommand(AnsweringModels answering, CliConsole console, ILogger<PredictCommand> logger)
{
    public static Command Create(VerbSetup verbs)
    {
        var model = new ModelOptions();
        var question = new Option<string?>("--question") { Description = "The question." };
        var context = new Option<string?>("--context") { Description = "The text that holds the answer." };
        var maxLength = new Option<int?>("--max-length")
        {
            Description = "Tokens per window (default: 384, or fewer where the model's positions less an adapter's virtual tokens are fewer).",
        };
        var docStride = new Option<int?>("--doc-stride")
            { Description = "Overlap between windows (default: 128, or half of --max-length if smaller)." };
        var precision = new PrecisionOption("the default, auto; --engine torch only");
        var predict = new Command("predict", "Answer a question from a context; without --question/--context, answer JSON lines from standard input.")
            { question, context, maxLength, docStride, precision.Option };
        foreach (var option in model.For(answers: true)) predict.Options.Add(option);
        verbs.Handle(predict, (parse, services, token) => services.GetRequiredService<PredictCommand>().Execute(new PredictRequest(model.Read(parse),
            parse.GetValue(question), parse.GetValue(context), parse.GetValue(maxLength), parse.GetValue(docStride), precision.Read(parse)),
            verbs.Console.In, token));
        return predict;
    }

    public int Execute(PredictRequest request, TextReader input, CancellationToken cancellation)
    {
        if ((request.Question is null) != (request.Context is null))
            throw new BadInputException("give both --question and --context, or neither to read JSON lines from standard input");
        if (request.Question is not null && EmptyField(request.Question, request.Context!) is { } empty)
            throw new BadInputException($"--{empty}: is empty; give the {empty} text");
        if (request.MaxSequenceLength is { } givenLength)
            WindowOptions.Check(givenLength, request.DocStride ?? DefaultStride(givenLength), maxPositions: null);
        var (model, _) = answering.Open(request.Model, request.Precision);
        using var modelInUse = model;
        var builder = Windows(request, model);

        if (request.Question is not null)
        {
            var answer = Answer(model, builder, [new QaExample("q", "", request.Context!, request.Question, [], false)], cancellation)[0];
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
                if (EmptyField(question, context) is { } blank) throw new JsonException($"\"{blank}\" is empty");
                example = new QaExample(id, "", context, question, [], false);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                failures++;
                console.Error.WriteLine($"error: standard input line {lineNumber}: {e.Message}; " +
                                        $"expected {{\"question\": \"...\", \"context\": \"...\"}}");
                continue;
            }
            var answer = Answer(model, builder, [example], cancellation)[0];
            console.Out.WriteLine(new JsonObject
            {
                ["id"] = id, ["answer"] = answer.Text, ["score"] = Math.Round(answer.Score, 4), ["probability"] = Math.Round(answer.Probability, 4),
                ["start"] = answer.Start, ["end"] = answer.End,
            }.ToJsonString());
        }
        return failures == 0 ? PeftQaCommandLine.Success : PeftQaCommandLine.BadInput;
    }

    /// <summary>"question" or "context" when that one is empty or only white space (nothing to ask, or nothing to answer from).</summary>
    private static string? EmptyField(string question, string context) =>
        string.IsNullOrWhiteSpace(question) ? "question" : string.IsNullOrWhiteSpace(context) ? "context" : null;

    /// <summary>The recipe default overlap, or half the window when that is shorter, so a short --max-length needs no --doc-stride.</summary>
    private static int DefaultStride(int maxLength) => Math.Min(new TrainingSettings().DocStride, maxLength / 2);

    /// <summary>
    /// Windows as given (checked against the model's positions and any adapter's virtual tokens) or, left out, the recipe
    /// default cut to what the model can encode: a long context then always fits, whatever the adapter prepends.
    /// </summary>
    private static FeatureBuilder Windows(PredictRequest request, AnsweringModel model)
    {
        int maxLength = request.MaxSequenceLength
            ?? Math.Min(new TrainingSettings().MaxSequenceLength, WindowOptions.Longest(model.MaxPositions, model.VirtualTokens));
        int docStride = request.DocStride ?? DefaultStride(maxLength);
        WindowOptions.Check(maxLength, docStride, model.MaxPositions, model.VirtualTokens);
        return new FeatureBuilder(model.Tokenizer, maxLength, docStride);
    }

    /// <summary>The best answer to each example, its offsets in code points of its context.</summary>
    private PredictedAnswer[] Answer(AnsweringModel model, FeatureBuilder builder, IReadOnlyList<QaExample> examples, CancellationToken cancellation)
    {
        var answers = new EvaluationSettings();
        var features = builder.Build(examples, cancellation);
        var progress = EvaluationProgress.Logged(logger, $"question {examples[0].Id}");
        var logits = SpanLogits.Predict(model.Forward, features, answers.BatchSize, model.Tokenizer.PadId, model.Device,
            done => progress(done, features.Count), cancellation);
        return AnswerExtractor.Extract(examples, features, logits, answers.NBestSize, answers.MaxAnswerLength, allowNoAnswer: false)
            .Select((answer, i) => answer with
            {
                Start = CodePoints.CodePointIndex(examples[i].Context, answer.Start),
                End = CodePoints.CodePointIndex(examples[i].Context, answer.End),
            }).ToArray();
    }
}
