using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Host.Recipes;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Cli;

/// <summary><c>peftqa eval</c>: its options, handed to <see cref="ModelEvaluation"/>; prints the scores.</summary>
public static class EvalCommand
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
        verbs.Handle(eval, (parse, services, token) =>
        {
            var request = new EvalRequest(model.Read(parse), parse.GetValue(data)!, parse.GetValue(output)!, parse.GetValue(metrics)!,
                parse.GetValue(maxExamples), parse.GetValue(maxLength), parse.GetValue(docStride), parse.GetValue(seed), precision.Read(parse));
            var scores = services.GetRequiredService<ModelEvaluation>().Evaluate(request, token);
            verbs.Console.Out.WriteLine(scores.ToJsonString());
            return PeftQaCommandLine.Success;
        });
        return eval;
    }
}
