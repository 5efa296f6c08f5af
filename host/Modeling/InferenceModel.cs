using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Host.Plugins;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>A model ready to answer questions: loaded (plus an adapter when given), on its device, in eval mode.</summary>
public sealed class InferenceModel : IDisposable
{
    private InferenceModel(BertForQuestionAnswering model, string vocabPath, IAdapter? adapter, Device device)
    {
        Model = model;
        VocabPath = vocabPath;
        Tokenizer = new BertTokenizer(vocabPath);
        Adapter = adapter;
        Device = device;
    }

    /// <summary>The seed a base model's random QA head is drawn from (the recipes' default seed).</summary>
    public const int BaseModelHeadSeed = 42;

    public BertForQuestionAnswering Model { get; }

    public string VocabPath { get; }

    public BertTokenizer Tokenizer { get; }

    public IAdapter? Adapter { get; }

    public Device Device { get; }

    /// <param name="ignoreMismatched">Load an adapter made for a model of another shape, or with tensors this model has
    /// no place for, as far as it fits.</param>
    public static InferenceModel Load(
        string model,
        string? adapterFolder,
        PluginCatalog plugins,
        Device device,
        ILogger logger,
        bool allowPickle = false,
        bool ignoreMismatched = false)
    {
        // A base model's head is drawn at random: from a fixed seed, so evaluating it twice gives the same answers.
        manual_seed(BaseModelHeadSeed);
        var loaded = ModelSources.Load(model, Directory.GetCurrentDirectory(), logger, allowPickle);
        if (loaded.Report.HeadInitialized && adapterFolder is null)
            logger.LogWarning("{Model} has no trained QA head: its answers are random. Pass a fine-tuned model folder or --adapter", model);
        loaded.Model.to(device);
        var adapter = adapterFolder is null ? null : AdapterFolder.Load(adapterFolder, loaded.Model, plugins, ignoreMismatched, logger);
        loaded.Model.eval();
        return new InferenceModel(loaded.Model, loaded.VocabPath, adapter, device);
    }

    public void Dispose()
    {
        Adapter?.Dispose();
        Model.Dispose();
    }
}
