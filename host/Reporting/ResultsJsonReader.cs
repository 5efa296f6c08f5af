using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Foundation;
using PeftQa.Host.Recipes;
using PeftQa.Host.Studies;

namespace PeftQa.Host.Reporting;

/// <summary>
/// The studies in the <c>results.json</c> of finished runs (<see cref="ResultsJsonWriter"/>), for <c>peftqa compare</c>:
/// a damaged or foreign file is bad input that names the file and the place.
/// </summary>
public static class ResultsJsonReader
{
    /// <summary>
    /// The studies in the results.json of finished runs (each may hold several), and the first run's seed, which seeds the
    /// intervals. A label met twice gets its run folder's name, and so does the configuration of a study whose
    /// configuration and seed were met in an earlier run (a second run of it, not another seed); with
    /// <paramref name="labelEveryRun"/> (runs that are not comparable) every study does, so nothing is pooled across runs.
    /// </summary>
    public static (List<ComparedStudy> Studies, int Seed) ReadRuns(IEnumerable<string> runFolders, bool labelEveryRun = false)
    {
        var studies = new List<ComparedStudy>();
        int? seed = null;
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
        foreach (var folder in runFolders)
        {
            var path = Path.Combine(folder, RunFolderFiles.ResultsFile);
            if (!File.Exists(path)) throw new BadInputException($"{path}: not found (is {folder} a finished run folder?)");
            var (read, runSeed) = ReadStudies(path, options);
            seed ??= runSeed;
            var run = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
            foreach (var study in read)
            {
                var named = study;
                if (labelEveryRun || studies.Any(s => s.Study.Label == study.Label))
                    named = named with { Label = $"{study.Label} ({run})" };
                if (labelEveryRun || studies.Any(s => s.Study.ConfigurationLabel == study.ConfigurationLabel && s.Study.Seed == study.Seed))
                    named = named with { Configuration = $"{study.ConfigurationLabel} ({run})" };
                studies.Add(new ComparedStudy(named, folder, study.Label));
            }
        }
        // Runs from before results.json held their seed ran with the recipe's default one.
        return (studies, seed ?? Recipe.DefaultSeed);
    }

    /// <summary>The studies of one results.json; a damaged or foreign file is bad input naming the file and the place.</summary>
    private static (List<StudyResult> Studies, int? Seed) ReadStudies(string path, JsonSerializerOptions options)
    {
        var root = Parse(path);
        if (root is not JsonObject || root["studies"] is not JsonArray studies)
            throw new BadInputException($"{path}: no \"studies\" array (not a peftqa results.json?)");
        if (studies.Count == 0)
            throw new BadInputException($"{path}: $.studies is empty: the run finished no study, so there is nothing to compare");
        var results = new List<StudyResult>();
        for (int i = 0; i < studies.Count; i++)
        {
            try { results.Add(studies[i].Deserialize<StudyResult>(options) ?? throw new JsonException("null study")); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
            {
                throw new BadInputException($"{path}: $.studies[{i}]: not a study as peftqa writes it: {e.Message.Split(" Path:")[0]}");
            }
        }
        return (results, root["seed"] is JsonValue seed && seed.TryGetValue<int>(out var value) ? value : null);
    }

    private static JsonNode? Parse(string path)
    {
        var text = File.ReadAllText(path);
        if (string.IsNullOrWhiteSpace(text))
            throw new BadInputException(
                $"{path}: is empty (the run may have been cut off before it wrote its results; rebuild them with peftqa report)");
        try { return JsonNode.Parse(text); }
        catch (JsonException e)
        {
            var reason = e.Message.Split(" Path:")[0].Split(" LineNumber:")[0];
            throw new BadInputException($"{path}: not valid JSON at line {(e.LineNumber ?? 0) + 1}: {reason} (damaged or not written by peftqa?)");
        }
    }
}
