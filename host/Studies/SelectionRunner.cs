using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PeftQa.Host.Evaluation;
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

    /// <summary>A method's candidates, in plan order, and the one chosen; with halving, every rung's scores.</summary>
    public sealed record MethodChoice(string Method, string Chosen, IReadOnlyList<CandidateScore> Candidates)
    {
        public IReadOnlyList<RungResult> Rungs { get; init; } = [];
    }

    /// <summary>A halving rung: the step its candidates trained to, each one's score there and who went on.</summary>
    public sealed record RungResult(int Steps, IReadOnlyList<RungEntry> Candidates);

    /// <param name="TrainedSteps">The steps the candidate had trained when scored (fewer than the rung's when it stopped early).</param>
    public sealed record RungEntry(string Label, string Choices, IReadOnlyDictionary<string, double> Validation, int TrainedSteps, bool GoesOn);

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
            var choice = selection.Strategy == "halving"
                ? Halve(search, selection, context, choices, cancellation)
                : Grid(search, selection, context, choices, cancellation);
            var scores = choice.Candidates;
            int best = scores.ToList().FindIndex(s => s.Label == choice.Chosen);
            winners[search.Method] = search.ChooseFrom!.First(c => c.Label == choice.Chosen);
            choices.Add(choice);
            Write(context.RunFolder, selection, choices);
            logger.LogInformation("Selection: {Method} uses {Choices} (validation {Metric} {Score:F2}; candidates {All})",
                search.Method, scores[best].Choices, selection.Metric, MetricScores.Of(scores[best].Validation, selection.Metric),
                string.Join(", ", scores.Select(s => $"{s.Choices} {MetricScores.Of(s.Validation, selection.Metric):F2}")));
        }
        return winners;
    }

    /// <summary>Every candidate trains the whole budget; the best wins.</summary>
    private MethodChoice Grid(
        StudyPlan search, SelectionSettings selection, StudyContext context, IReadOnlyList<MethodChoice> earlier, CancellationToken cancellation)
    {
        var scores = new List<CandidateScore>();
        foreach (var candidate in search.ChooseFrom!)
        {
            var result = studyRunner.Run(candidate, context, cancellation);
            scores.Add(new CandidateScore(candidate.Label, candidate.Choices, result.Final));
            Write(context.RunFolder, selection, [.. earlier, new MethodChoice(search.Method, "", scores)]);
        }
        return new MethodChoice(search.Method, scores[Best(scores, selection.Metric)].Label, scores);
    }

    /// <summary>
    /// Successive halving (<see cref="HalvingSchedule"/>): each rung trains the candidates still in to its step, from
    /// their own checkpoints, and keeps the best ceil(n / eta); the best at the last rung wins. A candidate that stopped
    /// early keeps its final score and trains no more.
    /// </summary>
    private MethodChoice Halve(
        StudyPlan search, SelectionSettings selection, StudyContext context, IReadOnlyList<MethodChoice> earlier, CancellationToken cancellation)
    {
        var candidates = search.ChooseFrom!;
        var schedule = HalvingSchedule.For(candidates.Count, selection, BudgetSteps(candidates[0], context));
        logger.LogInformation("Selection: {Method} by successive halving (eta {Eta}): {Rungs}", search.Method, selection.Eta, schedule);
        var latest = new CandidateScore?[candidates.Count];
        var rungs = new List<RungResult>();
        var alive = Enumerable.Range(0, candidates.Count).ToList();
        foreach (var (rung, k) in schedule.Rungs().Select((r, k) => (r, k)))
        {
            var rungContext = k == 0 ? context : context with { Resume = true };
            var entries = new List<RungEntry>();
            foreach (int c in alive)
            {
                var outcome = studyRunner.RunToStep(candidates[c], rungContext, rung.Steps, cancellation);
                latest[c] = new CandidateScore(candidates[c].Label, candidates[c].Choices, outcome.Validation);
                entries.Add(new RungEntry(candidates[c].Label, candidates[c].Choices, outcome.Validation, outcome.Steps, false));
                var sofar = new MethodChoice(search.Method, "", Known(latest)) { Rungs = [.. rungs, new(rung.Steps, entries)] };
                Write(context.RunFolder, selection, [.. earlier, sofar]);
            }
            bool last = k == schedule.Rungs().Count - 1;
            alive = entries.Select((e, i) => (Score: MetricScores.Of(e.Validation, selection.Metric), Index: alive[i]))
                .OrderByDescending(e => e.Score).ThenBy(e => e.Index)
                .Take(last ? 1 : HalvingSchedule.Survivors(alive.Count, selection.Eta))
                .Select(e => e.Index).OrderBy(i => i).ToList();
            rungs.Add(new RungResult(rung.Steps, entries.Select(e => e with { GoesOn = alive.Any(a => candidates[a].Label == e.Label) }).ToList()));
        }
        RemoveLosersCheckpoints(candidates, context);
        return new MethodChoice(search.Method, candidates[alive[0]].Label, Known(latest)) { Rungs = rungs };
    }

    /// <summary>
    /// Candidates dropped at a rung keep a checkpoint they will never go on from (weights and optimizer state); their rung
    /// scores, which a resumed selection reads, stay.
    /// </summary>
    private void RemoveLosersCheckpoints(IReadOnlyList<StudyPlan> candidates, StudyContext context)
    {
        foreach (var candidate in candidates)
        {
            var tasks = Path.Combine(StudyFolder.For(context.RunFolder, candidate.Label), RunFolderFiles.TasksFolder);
            if (!Directory.Exists(tasks)) continue;
            Directory.Delete(tasks, recursive: true);
            logger.LogDebug("Removed {Folder}: the candidate was dropped at a rung", tasks);
        }
    }

    private static List<CandidateScore> Known(IEnumerable<CandidateScore?> scores) => scores.OfType<CandidateScore>().ToList();

    /// <summary>The steps of the candidate's one task: its maxSteps, else its epochs over the task's windows.</summary>
    public static int BudgetSteps(StudyPlan candidate, StudyContext context) =>
        new Training.BatchCursor(
            context.ForStudy(candidate).Tasks[0].TrainFeatures.Count, candidate.Tasks[0].Settings, candidate.Tasks[0].Seed).TotalSteps;

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
            if (MetricScores.Of(scores[i].Validation, metric) > MetricScores.Of(scores[best].Validation, metric)) best = i;
        return best;
    }

    private static void Write(string selectionFolder, SelectionSettings selection, IReadOnlyList<MethodChoice> choices)
    {
        var runFolder = Path.GetDirectoryName(selectionFolder)!;
        var json = new JsonObject
        {
            ["metric"] = selection.Metric,
            ["strategy"] = selection.Strategy,
            ["eta"] = selection.Strategy == "halving" ? selection.Eta : null,
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
                ["rungs"] = c.Rungs.Count == 0 ? null : new JsonArray(c.Rungs.Select(r => (JsonNode)new JsonObject
                {
                    ["steps"] = r.Steps,
                    ["candidates"] = new JsonArray(r.Candidates.Select(e => (JsonNode)new JsonObject
                    {
                        ["label"] = e.Label,
                        ["trainedSteps"] = e.TrainedSteps,
                        ["validation"] = JsonSerializer.SerializeToNode(e.Validation),
                        ["goesOn"] = e.GoesOn,
                    }).ToArray()),
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

    /// <summary>Each halving rung: the step, every candidate still in with its score there, and who went on.</summary>
    private static void AppendRungs(System.Text.StringBuilder text, SelectionSettings selection, MethodChoice choice)
    {
        if (choice.Rungs.Count == 0) return;
        text.AppendLine($"Successive halving (eta {selection.Eta}), each rung's validation {selection.Metric}; " +
                        "→: went on to the next rung (at the last rung: chosen).").AppendLine();
        text.AppendLine("| rung | step | settings | trained steps | validation | |").AppendLine("|---:|---:|---|---:|---:|---|");
        foreach (var (rung, k) in choice.Rungs.Select((r, k) => (r, k)))
            foreach (var entry in rung.Candidates)
            {
                string score = F(MetricScores.Of(entry.Validation, selection.Metric));
                string stopped = entry.TrainedSteps < rung.Steps ? $"{entry.TrainedSteps} (stopped early)" : $"{entry.TrainedSteps}";
                text.AppendLine($"| {k + 1} | {rung.Steps} | {entry.Choices} | {stopped} | {score} | {(entry.GoesOn ? "→" : "")} |");
            }
        text.AppendLine();
    }

    private static string Markdown(SelectionSettings selection, IReadOnlyList<MethodChoice> choices)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("# Hyperparameter selection").AppendLine();
        text.AppendLine($"Each candidate trained on the training data less {selection.ValidationFraction * 100:0.#}% of its paragraphs " +
                        $"and was scored on those paragraphs ({selection.Metric}, mean over tasks after the last" +
                        (selection.Strategy == "halving" ? "; with halving, at the last rung it reached" : "") +
                        "); the evaluation data chose nothing. **Bold**: chosen.").AppendLine();
        foreach (var choice in choices)
        {
            text.AppendLine($"## {choice.Method}").AppendLine().AppendLine($"| Settings | validation {selection.Metric} |").AppendLine("|---|---:|");
            foreach (var candidate in choice.Candidates)
            {
                string score = F(MetricScores.Of(candidate.Validation, selection.Metric));
                text.AppendLine(candidate.Label == choice.Chosen
                    ? $"| **{candidate.Choices}** | **{score}** |"
                    : $"| {candidate.Choices} | {score} |");
            }
            text.AppendLine();
            AppendRungs(text, selection, choice);
        }
        return text.ToString();
    }

    private static string F(double score) => score.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
}
