using System.Text;
using System.Text.Json;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Recipes;

/// <summary>
/// Reads a recipe file and checks everything that needs no plugin: JSON syntax, field names and types,
/// required fields, ranges, duplicate names. Problems are reported as "file: $.path: message", all at once.
/// </summary>
public static class RecipeLoader
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>A recipe and the file it came from, as the user named it.</summary>
    public sealed record LoadedRecipe(Recipe Recipe, string FilePath, string DisplayPath, JsonElement Json)
    {
        public string Directory => Path.GetDirectoryName(Path.GetFullPath(FilePath))!;
    }

    public static LoadedRecipe Load(string path)
    {
        if (Directory.Exists(path)) throw new BadInputException(FolderGivenAsRecipe(path));
        if (!File.Exists(path)) throw new BadInputException($"{path}: recipe file not found");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{path}: cannot read: {e.Message}");
        }
        return Parse(Utf8Text.Decode(bytes, path), path, path);
    }

    /// <summary>A run folder (or any folder) where a recipe file was expected: say so, and what to give instead.</summary>
    private static string FolderGivenAsRecipe(string path)
    {
        var runRecipe = Path.Combine(path, RunFolderFiles.RecipeFile);
        return File.Exists(runRecipe)
            ? $"{path}: is a folder, not a recipe file; it holds a run's recipe: give peftqa run {runRecipe} to run that recipe again, " +
              $"or the run's recipe with --out {path} --resume to continue the run"
            : $"{path}: is a folder, not a recipe file; give the recipe's JSON file";
    }

    /// <param name="filePath">Where relative paths in the recipe resolve from; defaults to the working directory.</param>
    public static LoadedRecipe Parse(string json, string displayPath, string? filePath = null)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json, DocumentOptions);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is { } line ? $"line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}: " : "";
            throw new BadInputException($"{displayPath}: {where}not valid JSON: {FirstSentence(e.Message)}");
        }

        var problems = JsonShapeValidator.Validate(root, typeof(Recipe));
        var recipe = problems.Count == 0 ? Deserialize(root, displayPath) : null;
        if (recipe is not null) problems.AddRange(CrossFieldProblems(recipe));
        if (problems.Count > 0) throw new BadInputException(problems.Select(p => $"{displayPath}: {p}").ToList());
        return new LoadedRecipe(recipe!, filePath ?? Path.Combine(Directory.GetCurrentDirectory(), "recipe.json"), displayPath, root);
    }

    /// <summary>
    /// The validator accepts only what deserializes; should the two ever disagree, the user still gets one line, not a
    /// stack trace.
    /// </summary>
    private static Recipe Deserialize(JsonElement root, string displayPath)
    {
        try { return root.Deserialize<Recipe>(JsonShapeValidator.SerializerOptions)!; }
        catch (JsonException e) { throw new BadInputException($"{displayPath}: {e.Path ?? "$"}: {FirstSentence(e.Message)}"); }
    }

    /// <summary>
    /// A run folder is named <c>&lt;name&gt;-&lt;yyyyMMdd-HHmmss&gt;</c> (16 bytes more), and <c>--overwrite</c> renames an old one to
    /// <c>&lt;folder&gt;.replaced-&lt;yyyyMMdd-HHmmss&gt;~&lt;n&gt;</c> (up to 27 more); all within a file system's 255 bytes.
    /// </summary>
    private const int MaxNameBytes = FolderNames.FileSystemLimitBytes - 16 - 27;

    private static IEnumerable<string> CrossFieldProblems(Recipe recipe)
    {
        if (string.IsNullOrWhiteSpace(recipe.Name)) yield return "$.name: expected a non-empty name";
        else if (recipe.Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || recipe.Name.Contains('/'))
            yield return $"$.name: '{recipe.Name}' cannot be used in a folder name";
        else if (Encoding.UTF8.GetByteCount(recipe.Name) > MaxNameBytes)
            yield return $"$.name: {Encoding.UTF8.GetByteCount(recipe.Name)} bytes is too long for a run folder name <name>-<time>; " +
                         $"the limit is {MaxNameBytes} bytes";
        var duplicateTasks = Duplicates(recipe.Tasks.Select(t => t.Name).ToList(), "$.tasks", "name", "task name").ToList();
        foreach (var problem in duplicateTasks) yield return problem;
        // Task names become folder and file names too (tasks/<n>-<task>, answers/<task>.json, adapter-<n>-<task>).
        if (duplicateTasks.Count == 0)
            foreach (var problem in FolderNames.Problems(recipe.Tasks.Select((t, i) => (t.Name, $"$.tasks[{i}].name")).ToList(), "task name"))
                yield return problem;
        var duplicateLabels = Duplicates(recipe.Adapters.Select(a => a.DisplayName).ToList(), "$.adapters", "label",
                "adapter label (set a distinct label)")
            .Concat(Duplicates(recipe.Continual.Select(c => c.DisplayName).ToList(), "$.continual", "label",
                "continual label (set a distinct label)"))
            .ToList();
        foreach (var problem in duplicateLabels) yield return problem;
        // Once labels are unique, study labels must still be distinct folder names ("a+b" with "c" and "a" with "b+c" are not).
        if (duplicateLabels.Count == 0)
            foreach (var problem in FolderNames.Problems(StudyLabels(recipe), "study label")) yield return problem;
        var adapterLabels = recipe.Adapters.Select(a => a.DisplayName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < recipe.Continual.Count; i++)
            foreach (var (label, k) in (recipe.Continual[i].Adapters ?? []).Select((l, k) => (l, k)))
                if (!adapterLabels.Contains(label))
                    yield return $"$.continual[{i}].adapters[{k}]: no adapter labelled '{label}'; " +
                                 $"the adapters are {string.Join(", ", adapterLabels)}";
        foreach (var problem in TrainingSizeProblems(recipe)) yield return problem;
        for (int i = 0; i < recipe.Tasks.Count; i++)
        {
            foreach (var problem in RetentionProblems(recipe.Tasks[i], $"$.tasks[{i}]")) yield return problem;
            if (recipe.Tasks[i].Split is not { } split) continue;
            if (!HoldOutSplit.Units.Contains(split.By))
                yield return $"$.tasks[{i}].split.by: expected one of {string.Join(", ", HoldOutSplit.Units)}, got '{split.By}'";
            var side = recipe.Tasks[i].Retention ? "memory" : "train";
            if (recipe.Tasks[i].TrainingData != recipe.Tasks[i].Eval)
                yield return $"$.tasks[{i}].split: task '{recipe.Tasks[i].Name}' splits one file, so {side} and eval must name the same file " +
                             $"(got '{recipe.Tasks[i].TrainingData}' and '{recipe.Tasks[i].Eval}')";
        }
        if (recipe.Tasks.Count > 0 && recipe.Tasks.All(t => t.Retention))
            yield return "$.tasks: every task is a retention task (retention: true); at least one must be trained";
        if (recipe.Compare.Reference is { } reference && !ConfigurationLabels(recipe).Any(l => l.Label == reference))
            yield return $"$.compare.reference: no study labelled '{reference}'; " +
                         $"the studies are {string.Join(", ", ConfigurationLabels(recipe).Select(l => l.Label))}";
        // Metric plugins are found ignoring case, so "f1" and "F1" are one metric, which scores keyed by name cannot hold twice.
        foreach (var problem in Duplicates(recipe.Evaluation.Metrics, "$.evaluation.metrics", "", "metric")
                     .Concat(Duplicates(recipe.Evaluation.ContinualMetrics, "$.evaluation.continualMetrics", "", "continual metric")))
            yield return problem;
        if (recipe.Seeds is { } seeds)
        {
            var seedNames = seeds.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            foreach (var problem in Duplicates(seedNames, "$.seeds", "", "seed")) yield return problem;
        }
        for (int i = 0; i < recipe.Training.ReportTo.Count; i++)
            if (!TrainingSettings.ReportDestinations.Contains(recipe.Training.ReportTo[i]))
                yield return $"$.training.reportTo[{i}]: expected one of {string.Join(", ", TrainingSettings.ReportDestinations)}, " +
                             $"got '{recipe.Training.ReportTo[i]}'";
        if (recipe.Selection is { } selection && !SelectionSettings.Strategies.Contains(selection.Strategy))
            yield return $"$.selection.strategy: expected one of {string.Join(", ", SelectionSettings.Strategies)}, got '{selection.Strategy}'";
        if (recipe.Training.DocStride >= recipe.Training.MaxSequenceLength)
            yield return $"$.training.docStride: expected less than maxSequenceLength ({recipe.Training.MaxSequenceLength}), " +
                         $"got {recipe.Training.DocStride}";
    }

    /// <summary>
    /// A training-size sweep (a list in maxTrainExamples) expands studies by size; each size once, on one trained task, and not
    /// with selection, which would have to choose settings per size.
    /// </summary>
    private static IEnumerable<string> TrainingSizeProblems(Recipe recipe)
    {
        var swept = new List<int>();
        for (int i = 0; i < recipe.Tasks.Count; i++)
        {
            if (recipe.Tasks[i].MaxTrainExamples is not { IsSearch: true } sizes) continue;
            string at = $"$.tasks[{i}].maxTrainExamples";
            if (recipe.Tasks[i].Retention)
            {
                yield return $"{at}: task '{recipe.Tasks[i].Name}' is a retention task, which is never trained; give one number (its memory's " +
                             "sample), not a list of training sizes";
                continue;
            }
            swept.Add(i);
            for (int k = 1; k < sizes.Values.Count; k++)
                if (sizes.Values.Take(k).ToList().IndexOf(sizes.Values[k]) is var earlier and >= 0)
                    yield return $"{at}[{k}]: the training size {sizes.Values[k]} is given twice (also at [{earlier}])";
        }
        if (swept.Count > 1)
            yield return $"$.tasks[{swept[1]}].maxTrainExamples: only one task may sweep training sizes (task {swept[0]} already does); " +
                         "give the other tasks one number";
        var compared = recipe.Tasks.Select((t, i) => (t, i)).Where(x => x.t.Augment is { IsSearch: true }).Select(x => x.i).ToList();
        if (compared.Count > 1)
            yield return $"$.tasks[{compared[1]}].augment: only one task may compare augmentation lists (task {compared[0]} already does); " +
                         "give the other tasks one list";
        if (compared.Count > 0 && recipe.Selection is not null)
            yield return $"$.tasks[{compared[0]}].augment: a comparison of augmentation lists cannot be combined with selection; remove " +
                         "selection, or give one list";
        if (swept.Count > 0 && recipe.Selection is not null)
            yield return $"$.tasks[{swept[0]}].maxTrainExamples: a training-size sweep is not chosen by selection and cannot be combined with " +
                         "it (each size would need its own choice); remove selection, or run one recipe per size";
    }

    /// <summary>A retention task is evaluated only, so it has no train; memory belongs to retention tasks alone.</summary>
    private static IEnumerable<string> RetentionProblems(TaskSpec task, string at)
    {
        if (task.Retention && task.Train is not null)
            yield return $"{at}.train: task '{task.Name}' is a retention task (retention: true), " +
                         "which is evaluated at every stage and never trained; " +
                         "remove train (name the data strategies may remember in memory)";
        if (!task.Retention && task.Train is null)
            yield return $"{at}.train: task '{task.Name}' needs training data (or set \"retention\": true for a task that is only evaluated)";
        if (task.Retention && task.AugmentVariants.Any(v => v.Count > 0))
            yield return $"{at}.augment: task '{task.Name}' is a retention task, which is never trained, so it has no training questions to " +
                         "augment; remove augment";
        if (!task.Retention && task.Memory is not null)
            yield return $"{at}.memory: only a retention task has memory (task '{task.Name}' is trained on its train data); " +
                         "remove memory or set \"retention\": true";
    }

    /// <summary>Every study's label (one per configuration and seed) and where it comes from.</summary>
    private static List<(string Label, string From)> StudyLabels(Recipe recipe) =>
        ConfigurationLabels(recipe)
            .SelectMany(c => recipe.StudySeeds.Distinct().Select(seed => (recipe.SeededLabel(c.Label, seed), c.From)))
            .ToList();

    /// <summary>Every configuration's label: one per (adapter, continual strategy) pair.</summary>
    private static List<(string Label, string From)> ConfigurationLabels(Recipe recipe) =>
        recipe.StudyPairs().Select(pair => (
            recipe.StudyLabel(recipe.Adapters[pair.AdapterIndex], recipe.Continual[pair.ContinualIndex]),
            recipe.Continual.Count == 1
                ? $"$.adapters[{pair.AdapterIndex}]"
                : $"$.adapters[{pair.AdapterIndex}] with $.continual[{pair.ContinualIndex}]")).ToList();

    private static IEnumerable<string> Duplicates(IReadOnlyList<string> names, string arrayPath, string field, string what)
    {
        var first = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        string member = field.Length == 0 ? "" : "." + field;
        for (int i = 0; i < names.Count; i++)
        {
            if (first.TryGetValue(names[i], out int earlier))
                yield return $"{arrayPath}[{i}]{member}: duplicate {what} '{names[i]}' (also at {arrayPath}[{earlier}]{member})";
            else first[names[i]] = i;
        }
    }

    private static string FirstSentence(string message)
    {
        foreach (var marker in (ReadOnlySpan<string>)[" Path:", " LineNumber:"])
        {
            int end = message.IndexOf(marker, StringComparison.Ordinal);
            if (end > 0) message = message[..end];
        }
        return message.Trim();
    }
}
