using System.Text.Json;
using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using TorchSharp;
using PeftQa.Host.Data;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using static TorchSharp.torch;

namespace PeftQa.Host.Studies;

/// <summary>
/// The baseline b[j] of a run: the base model, loaded after seeding with the recipe's seed (so its fresh QA head is
/// the same in every study), with nothing attached, evaluated on every task. It is the same for every study, so it is
/// measured once per run and kept in the run folder's <c>baseline.json</c>, which a resumed run reads back, with every
/// question's answer in <c>answers-before-training/</c> (for the intervals of BWT, FWT and retention). The tasks are the
/// trained tasks in order, then the retention tasks.
/// </summary>
public static class BaselineMeasurement
{
    public const string File = RunFolderFiles.BaselineFile;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static IReadOnlyList<Dictionary<string, double>> MeasureOrLoad(
        string runFolder,
        bool resume,
        string model,
        string recipeDirectory,
        int seed,
        IReadOnlyList<TaskData> tasks,
        IReadOnlyList<IMetric> metrics,
        EvaluationSettings evaluation,
        BertTokenizer tokenizer,
        Device device,
        ComputePrecision precision,
        ILogger logger,
        CancellationToken cancellation)
    {
        var path = Path.Combine(runFolder, RunFolderFiles.BaselineFile);
        if (resume && System.IO.File.Exists(path)
            && JsonSerializer.Deserialize<List<Dictionary<string, double>>>(System.IO.File.ReadAllText(path)) is { } saved
            && saved.Count == tasks.Count)
        {
            logger.LogInformation("Baseline before training as measured when the run started ({File})", path);
            return saved;
        }
        manual_seed(seed);
        using var loaded = ModelSources.Load(model, recipeDirectory, logger).Model;
        loaded.to(device);
        loaded.UseComputeDType(precision.DType);
        var scores = new List<Dictionary<string, double>>();
        foreach (var task in tasks)
        {
            var result = QaEvaluator.Evaluate(loaded, task.Eval, metrics, evaluation, tokenizer.PadId, device, cancellation,
                EvaluationProgress.Logged(logger, $"before training, task {task.Name}"));
            logger.LogInformation("Baseline {Stage}, task {Task}: {Scores} ({Seconds:F1} s)", "before training", task.Name,
                string.Join(", ", result.Scores.Select(s => $"{s.Key} {s.Value:F2}")), result.Seconds);
            scores.Add(result.Scores.ToDictionary());
            AnswerFile.Save(AnswerFile.PathFor(AnswerFile.BaselineFolder(runFolder), task.Name), AnswerFile.Pairs(task.Eval.Examples, result));
        }
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(scores, Json));
        return scores;
    }
}
