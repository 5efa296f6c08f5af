using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Hugging Face checkpoint folders: <c>config.json</c>, <c>vocab.txt</c> and <c>model.safetensors</c> (or, only when
/// explicitly allowed, <c>pytorch_model.bin</c>). Keys map one to one; base-model keys without the <c>bert.</c>
/// prefix and old <c>gamma</c>/<c>beta</c> LayerNorm names are accepted as Hugging Face accepts them.
/// </summary>
public static class Checkpoint
{
    public const string ConfigFile = "config.json";
    public const string VocabFile = "vocab.txt";
    public const string WeightsFile = "model.safetensors";
    public const string PickleWeightsFile = "pytorch_model.bin";

    /// <summary>What loading found besides the weights it used.</summary>
    public sealed record LoadReport(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys, bool HeadInitialized);

    /// <summary>A loaded model and its vocabulary file.</summary>
    public sealed record LoadedModel(BertForQuestionAnswering Model, string VocabPath, LoadReport Report);

    /// <summary>
    /// Checks, without loading tensors, what <see cref="Load"/> would refuse: a missing config, vocabulary or weights
    /// file, a pickle checkpoint not allowed, a safetensors file whose header does not match its size (truncated).
    /// </summary>
    public static void Verify(string folder, bool allowPickle = false)
    {
        if (!Directory.Exists(folder)) throw new BadInputException($"{folder}: model folder not found");
        BertConfig.Load(Path.Combine(folder, ConfigFile));
        var vocab = Path.Combine(folder, VocabFile);
        if (!File.Exists(vocab)) throw new BadInputException($"{vocab}: file not found (the tokenizer needs the checkpoint's vocab.txt)");
        var weightsPath = Path.Combine(folder, WeightsFile);
        if (File.Exists(weightsPath))
        {
            try { SafeTensors.ReadHeader(weightsPath); }
            catch (InvalidDataException e) { throw new BadInputException(e.Message); }
            return;
        }
        var picklePath = Path.Combine(folder, PickleWeightsFile);
        if (!File.Exists(picklePath))
            throw new BadInputException($"{weightsPath}: file not found (expected model.safetensors in the checkpoint folder)");
        if (!allowPickle) throw PickleRefused(picklePath);
    }

    private static BadInputException PickleRefused(string path) =>
        new($"{path}: pickle checkpoints can run code when loaded; convert it to model.safetensors, or pass --allow-pickle if you trust its source");

    /// <param name="allowPickle">Allow <c>pytorch_model.bin</c>: unpickling can run code, so it must be asked for.</param>
    public static LoadedModel Load(string folder, ILogger logger, string? baseModelName = null, bool allowPickle = false)
    {
        Verify(folder, allowPickle);
        var config = BertConfig.Load(Path.Combine(folder, ConfigFile));
        var vocab = Path.Combine(folder, VocabFile);
        var weightsPath = Path.Combine(folder, WeightsFile);
        Dictionary<string, Tensor> weights;
        if (File.Exists(weightsPath))
        {
            try { weights = SafeTensors.Load(weightsPath); }
            catch (InvalidDataException e) { throw new BadInputException(e.Message); }
        }
        else weights = PickleCheckpoint.Load(Path.Combine(folder, PickleWeightsFile));

        var model = new BertForQuestionAnswering(config, baseModelName ?? folder);
        var tokenizer = new Lazy<Data.Tokenization.BertTokenizer>(() => new Data.Tokenization.BertTokenizer(vocab));
        model.TextTokenizer = text => tokenizer.Value.Encode(text);
        var report = Apply(model, weights, weightsPath, config);
        foreach (var tensor in weights.Values) tensor.Dispose();

        if (report.UnexpectedKeys.Count > 0)
            logger.LogInformation("{File}: {Count} unused tensors ({Keys})",
                weightsPath, report.UnexpectedKeys.Count, Summarize(report.UnexpectedKeys));
        if (report.HeadInitialized)
            logger.LogInformation("{File} has no qa_outputs (a base model): " +
                                  "the QA head starts from normal(0, {Range}) weights and zero bias, as in Hugging Face",
                weightsPath, config.InitializerRange);
        var otherMissing = report.MissingKeys.Where(k => !BertForQuestionAnswering.IsHeadParameter(k)).ToList();
        if (otherMissing.Count > 0)
            logger.LogWarning("{File} lacks {Count} encoder tensors, which start from random initialisation: {Keys}",
                weightsPath, otherMissing.Count, Summarize(otherMissing));
        return new LoadedModel(model, vocab, report);
    }

    /// <summary>Writes the model in the same layout: config.json, model.safetensors (all parameters) and vocab.txt.</summary>
    public static void Save(BertForQuestionAnswering model, string vocabPath, string folder)
    {
        Directory.CreateDirectory(folder);
        (model.Config with { Architectures = ["BertForQuestionAnswering"] }).Save(Path.Combine(folder, ConfigFile));
        SafeTensors.Save(Path.Combine(folder, WeightsFile),
            model.named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter)),
            SafeTensors.Metadata(("format", "pt")));
        var targetVocab = Path.Combine(folder, VocabFile);
        if (!string.Equals(Path.GetFullPath(vocabPath), Path.GetFullPath(targetVocab), StringComparison.Ordinal))
            File.Copy(vocabPath, targetVocab, overwrite: true);
    }

    private static LoadReport Apply(BertForQuestionAnswering model, Dictionary<string, Tensor> weights, string file, BertConfig config)
    {
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        var problems = new List<string>();
        using (no_grad())
        {
            foreach (var (key, tensor) in weights)
            {
                var name = CanonicalName(key, parameters);
                if (name is null)
                {
                    unexpected.Add(key);
                    continue;
                }
                var target = parameters[name];
                if (!target.shape.SequenceEqual(tensor.shape))
                {
                    problems.Add($"{file}: tensor '{key}' has shape [{string.Join(", ", tensor.shape)}] but {ConfigFile} " +
                                 $"(hidden_size {config.HiddenSize}, intermediate_size {config.IntermediateSize}, vocab_size {config.VocabSize}) " +
                                 $"expects [{string.Join(", ", target.shape)}]");
                    continue;
                }
                target.copy_(tensor.to(target.dtype));
                loaded.Add(name);
            }
        }
        if (problems.Count > 0) throw new BadInputException(problems);
        var missing = parameters.Keys.Where(k => !loaded.Contains(k)).ToList();
        bool headMissing = missing.Contains($"{BertForQuestionAnswering.HeadModuleName}.weight");
        if (headMissing) model.InitializeHead();
        return new LoadReport(missing, unexpected, headMissing);
    }

    private static string? CanonicalName(string key, IReadOnlyDictionary<string, Parameter> parameters)
    {
        var name = key.Replace("LayerNorm.gamma", "LayerNorm.weight", StringComparison.Ordinal)
                      .Replace("LayerNorm.beta", "LayerNorm.bias", StringComparison.Ordinal);
        if (parameters.ContainsKey(name)) return name;
        if (parameters.ContainsKey("bert." + name)) return "bert." + name;
        return null;
    }

    private static string Summarize(IReadOnlyList<string> keys) =>
        string.Join(", ", keys.Take(6)) + (keys.Count > 6 ? $", ... ({keys.Count - 6} more)" : "");
}
