using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Plugins;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Runs;

/// <summary>
/// <c>peftqa score</c>'s entry point: the official evaluate-v1.1.py on a predictions
/// file (question id -> answer text), printing <c>{"exact_match": ..., "f1": ...}</c>; --metrics adds others as extra keys.
/// </summary>
public sealed class PredictionScoring(PluginLoader pluginLoader, ExtraPluginFolders pluginFolders, ILogger<PredictionScoring> logger)
{
    /// <returns>Each metric's score, and each metric's signature where it has one (sacrebleu's, for example).</returns>
    /// <exception cref="BadInputException">A bad data or predictions file, or an unknown metric.</exception>
    public (JsonObject Scores, IReadOnlyDictionary<string, string> Signatures) Score(string dataPath, string predictionsPath,
        IReadOnlyList<string> metricNames)
    {
        var data = DataSources.Load(dataPath);
        var predictions = ReadPredictions(predictionsPath);
        var plugins = pluginLoader.Load(PluginRoots.For(pluginFolders.Folders, []));
        var metrics = metricNames.Select(name => plugins.Require<IMetric>(name, $"--metrics {name}")).ToList();

        WarnOfRepeatedIds(logger, data.Examples, dataPath);
        var known = data.Examples.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        var unanswered = data.Examples.Where(e => !predictions.ContainsKey(e.Id)).Select(e => e.Id).ToList();
        if (unanswered.Count > 0)
            logger.LogWarning("{Count} questions have no prediction and score 0, as in the official script (for example {Ids}); " +
                              "add them to {File} to score them",
                unanswered.Count, string.Join(", ", unanswered.Take(5)), predictionsPath);
        var unknown = predictions.Keys.Where(id => !known.Contains(id)).ToList();
        if (unknown.Count > 0)
            logger.LogWarning("{Count} predictions are for ids not in {Data} and are ignored (for example {Ids}); " +
                              "are the files from the same data set?",
                unknown.Count, dataPath, string.Join(", ", unknown.Take(5)));

        var scores = QaEvaluator.Score(data.Examples, predictions, metrics);
        var output = new JsonObject();
        foreach (var metric in metrics) output[metric.Name] = scores[metric.Name];
        return (output, metrics.Where(m => m.Signature is not null).ToDictionary(m => m.Name, m => m.Signature!));
    }

    /// <summary>Names the question ids a data file repeats: the official script scores each occurrence, so they weigh more than once.</summary>
    public static void WarnOfRepeatedIds(ILogger logger, IEnumerable<QaExample> examples, string dataPath)
    {
        var repeated = QaDataSet.RepeatedIds(examples);
        if (repeated.Count > 0)
            logger.LogWarning("{Data}: {Count} question ids occur more than once ({Ids}); " +
                              "as in the official evaluate-v1.1.py, each occurrence is scored " +
                              "against the id's one prediction; rename them to score the questions apart",
                dataPath, repeated.Count, string.Join(", ", repeated.Take(5)));
    }

    /// <summary>A predictions file in the official format: one JSON object mapping question id to answer text, each id once.</summary>
    public static Dictionary<string, string> ReadPredictions(string path)
    {
        if (Directory.Exists(path)) throw new BadInputException($"{path}: is a folder; give the predictions file (predictions.json)");
        if (!File.Exists(path)) throw new BadInputException($"{path}: predictions file not found");
        JsonDocument document;
        try { document = JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e)
        {
            throw new BadInputException(
                $"{path}: not valid JSON (line {(e.LineNumber ?? 0) + 1}): expected an object mapping question id to answer text");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new BadInputException($"{path}: expected a JSON object mapping question id to answer text " +
                                            $"(as evaluate-v1.1.py reads), got {root.ValueKind.ToString().ToLowerInvariant()}");
            var predictions = new Dictionary<string, string>(StringComparer.Ordinal);
            var problems = new List<string>();
            foreach (var property in root.EnumerateObject())
            {
                if (predictions.ContainsKey(property.Name))
                    problems.Add($"{path}: $.{property.Name}: the question id appears more than once; give each question one prediction");
                else if (property.Value.ValueKind == JsonValueKind.String) predictions[property.Name] = property.Value.GetString()!;
                else
                    problems.Add($"{path}: $.{property.Name}: expected the answer text as a string, " +
                                 $"got {property.Value.ValueKind.ToString().ToLowerInvariant()}");
            }
            if (problems.Count > 0) throw new BadInputException(problems.Take(20).ToList());
            return predictions;
        }
    }
}
