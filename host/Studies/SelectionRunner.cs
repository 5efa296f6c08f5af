using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PeftQa.Host.Foundation;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Studies;

/// <summary>
/// Chooses each searched method's configuration on validation data: every candidate (planned with the recipe's seed)
/// trains on the training data less the held-out paragraphs and is scored on those paragraphs, never on the evaluation
/// data; the best by <see cref="SelectionSettings.Metric"/> (the first on a tie) wins. Candidates run in
/// <c>selection/studies/</c> and resume like any study; <c>selection.json</c> and <c>selection.md</c> record every score
/// and the choice.
/// </summary>
public sealed class SelectionRunner(StudyRunner studyRunner, ILogger<SelectionRunner> logger)
{
    public const string FolderName = RunFolderFiles.SelectionFolder;

    /// <summary>One candidate's validation scores (the mean over tasks after the last one).</summary>
    public sealed record CandidateScore(string Label, string Choices, IReadOnlyDictionary<string, double> Validation);

    /// <summary>A method's candidates, in plan order, and the one chosen.</summary>
    public sealed record MethodChoice(string Method, string Chosen, IReadOnlyList<CandidateScore> Candidates);

    /// <param name="context">The selection's context: <see cref="ContextFor"/>.</param>
    /// <returns>Per method still to choose, its winning candidate.</returns>
    public IReadOnlyDictionary<string, StudyPlan> Choose(
        IReadOnlyList<StudyPlan> studies, SelectionSettings selection, StudyContext context, CancellationToken cancellation)
    {
        var searches = studies.Where(s => s.ChooseFrom is not null).DistinctBy(s => s.Method).ToList();
        logger.LogInformation("Selection: {Candidates} candidates of {Methods} searched methods, " +
                              "scored by {Metric} on {Questions} held-out training questions",
            searches.Sum(s => s.ChooseFrom!.Count), searches.Count, selection.Metric, context.Tasks.Sum(t => t.Eval.Examples.Count));
        var choices = new List<MethodChoice>();
        var winners = new Dictionary<string, StudyPlan>();
        foreach (var search in searches)
        {
            var scores = new List<CandidateScore>();
            foreach (var candidate in search.ChooseFrom!)
            {
                var result = studyRunner.Run(candidate, context, cancellation);
                scores.Add(new CandidateScore(candidate.Label, candidate.Choices, result.Final));
                Write(context.RunFolder, selection, [.. choices, new MethodChoice(search.Method, "", scores)]);
            }
            int best = Best(scores, selection.Metric);
            winners[search.Method] = search.ChooseFrom[best];
            choices.Add(new MethodChoice(search.Method, scores[best].Label, scores));
            Write(context.RunFolder, selection, choices);
            logger.LogInformation("Selection: {Method} uses {Choices} (validation {Metric} {Score:F2}; candidates {All})",
                search.Method, scores[best].Choices, selection.Metric, scores[best].Validation[selection.Metric],
                string.Join(", ", scores.Select(s => $"{s.Choices} {s.Validation[selection.Metric]:F2}")));
        }
        return winners;
    }

    /// <summary>
    /// The run's context as selection sees it: its own folder, each task's validation set in place of its evaluation
    /// set, and a baseline measured there.
    /// </summary>
    /// <remarks>Creates the selection folder: the TensorBoard log handed in writes into it.</remarks>
    public StudyContext ContextFor(StudyContext run, int seed, Training.TensorBoardLog? tensorBoard, CancellationToken cancellation)
    {
        var folder = Path.Combine(run.RunFolder, RunFolderFiles.SelectionFolder);
        Directory.CreateDirectory(folder);
        var tasks = run.Tasks.Select(t => t.ForSelection()).ToList();
        var baseline = BaselineMeasurement.MeasureOrLoad(folder, run.Resume, run.Model, run.RecipeDirectory, seed, tasks, run.Metrics, run.Evaluation,
            run.Tokenizer, run.Device, run.Precision, logger, cancellation);
        return run with { RunFolder = folder, Tasks = tasks, Baseline = baseline, TensorBoard = tensorBoard, Retention = [], RetentionBaseline = [] };
    }

    /// <summary>The index of the highest score; the first of equals.</summary>
    public static int Best(IReadOnlyList<CandidateScore> scores, string metric)
    {
        int best = 0;
        for (int i = 1; i < scores.Count; i++)
            if (scores[i].Validation[metric] > scores[best].Validation[metric]) best = i;
        return best;
    }

    private static void Write(string selectionFolder, SelectionSettings selection, IReadOnlyList<MethodChoice> choices)
    {
        var runFolder = Path.GetDirectoryName(selectionFolder)!;
        var json = new JsonObject
        {
            ["metric"] = selection.Metric,
            ["validationFraction"] = selection.ValidationFraction,
            ["note"] = "validation scores: the mean over tasks after the last, on paragraphs held out of the training data; " +
                       "the evaluation data chose nothing",
            ["methods"] = new JsonArray(choices.Select(c => (JsonNode)new JsonObject
            {
                ["method"] = c.Method,
                ["chosen"] = c.Chosen.Length == 0 ? null : c.Chosen,
                ["candidates"] = new JsonArray(c.Candidates.Select(s => (JsonNode)new JsonObject
                {
                    ["label"] = s.Label,
                    ["choices"] = s.Choices,
                    ["validation"] = JsonSerializer.SerializeToNode(s.Validation),
                }).ToArray()),
            }).ToArray()),
        };
        AtomicFile.WriteAllText(Path.Combine(runFolder, RunFolderFiles.SelectionJsonFile), json.ToJsonString(ReadableJson));
        AtomicFile.WriteAllText(Path.Combine(runFolder, RunFolderFiles.SelectionMarkdownFile), Markdown(selection, choices));
    }

    private static readonly JsonSerializerOptions ReadableJson = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string Markdown(SelectionSettings selection, IReadOnlyList<MethodChoice> choices)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("# Hyperparameter selection").AppendLine();
        text.AppendLine($"Each candidate trained on the training data less {selection.ValidationFraction * 100:0.#}% of its paragraphs " +
                        $"and was scored on those paragraphs ({selection.Metric}, mean over tasks after the last); " +
                        "the evaluation data chose nothing. **Bold**: chosen.").AppendLine();
        foreach (var choice in choices)
        {
            text.AppendLine($"## {choice.Method}").AppendLine().AppendLine($"| Settings | validation {selection.Metric} |").AppendLine("|---|---:|");
            foreach (var candidate in choice.Candidates)
            {
                string score = candidate.Validation[selection.Metric].ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
                text.AppendLine(candidate.Label == choice.Chosen
                    ? $"| **{candidate.Choices}** | **{score}** |"
                    : $"| {candidate.Choices} | {score} |");
            }
            text.AppendLine();
        }
        return text.ToString();
    }
}
