using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Cli;

/// <summary>
/// <c>peftqa score --data squad.json --predictions predictions.json</c>: the official evaluate-v1.1.py on a predictions
/// file (question id -> answer text), printing <c>{"exact_match": ..., "f1": ...}</c>; --metrics adds others as extra keys.
/// </summary>
public static class ScoreCommand
{
    public static Command Create(VerbSetup verbs)
    {
        var data = new Option<string>("--data") { Description = "The SQuAD JSON file with the gold answers.", Required = true };
        var predictions = new Option<string>("--predictions")
            { Description = "Predictions: a JSON object mapping question id to answer text.", Required = true };
        var metrics = new Option<string[]>("--metrics")
        {
            Description = "Metric plugins to report (exact_match and f1 by default; bleu, rougeL ...).",
            DefaultValueFactory = _ => ["exact_match", "f1"], AllowMultipleArgumentsPerToken = true,
        };
        MetricNames.RefuseRepeated(metrics);
        var score = new Command("score", "Score a predictions file as the official SQuAD v1.1 script does.") { data, predictions, metrics };
        verbs.Handle(score, (parse, services, _) =>
        {
            var (scores, signatures) = services.GetRequiredService<PredictionScoring>()
                .Score(parse.GetValue(data)!, parse.GetValue(predictions)!, parse.GetValue(metrics)!);
            verbs.Console.Out.WriteLine(scores.ToJsonString());
            var logger = services.GetRequiredService<ILogger<PredictionScoring>>();
            foreach (var (metric, signature) in signatures) logger.LogInformation("{Metric}: {Signature}", metric, signature);
            return PeftQaCommandLine.Success;
        });
        return score;
    }
}
