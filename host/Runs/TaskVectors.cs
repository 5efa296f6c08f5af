using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using static TorchSharp.torch;

namespace PeftQa.Host.Runs;

/// <summary>
/// Task vectors (Ilharco et al. 2023) of saved adapters: each adapter attached to the base model and merged into its
/// weights, minus the base model's values, for the parameters it changes. Works for every strategy whose adapter merges
/// (full fine-tuning, LoRA, DoRA, IA3); soft prompts, which add tokens instead, are refused.
/// </summary>
public static class TaskVectors
{
    /// <summary>One dictionary per adapter folder, by parameter name; <paramref name="model"/> is left as it was loaded.</summary>
    public static List<Dictionary<string, Tensor>> Of(
        BertForQuestionAnswering model, IReadOnlyList<string> folders, PluginCatalog plugins, ILogger logger)
    {
        var start = model.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.detach().clone(), StringComparer.Ordinal);
        var vectors = new List<Dictionary<string, Tensor>>();
        try
        {
            foreach (var folder in folders) vectors.Add(Of(model, folder, start, plugins, logger));
            return vectors;
        }
        catch
        {
            foreach (var tensor in vectors.SelectMany(v => v.Values)) tensor.Dispose();
            throw;
        }
        finally
        {
            Restore(model, start);
            foreach (var tensor in start.Values) tensor.Dispose();
        }
    }

    private static Dictionary<string, Tensor> Of(
        BertForQuestionAnswering model, string folder, Dictionary<string, Tensor> start, PluginCatalog plugins, ILogger logger)
    {
        Restore(model, start);
        using var adapter = AdapterFolder.Load(folder, model, plugins, logger: logger);
        if (model.VirtualTokens is not null || model.AttentionPrefixes is not null)
            throw new BadInputException(
                $"--adapter {folder}: a soft-prompt adapter ({adapter.StrategyName}) adds virtual tokens or attention prefixes instead of " +
                "changing weights, so it has no weight delta to merge");
        // Full fine-tuning trains the model's own parameters: loading it put its weights in place, nothing to merge.
        var own = model.NamedParameters.Select(p => (TorchSharp.torch.Tensor)p.Parameter).ToHashSet(ReferenceEqualityComparer.Instance);
        bool inPlace = adapter.TrainableParameters.All(p => own.Contains(p.Parameter));
        if (!inPlace && !adapter.SupportsMerge)
            throw new BadInputException($"--adapter {folder}: the {adapter.StrategyName} adapter cannot be merged into the weights");
        if (!inPlace) adapter.Merge();
        var vector = TaskVector.Since(model, start);
        if (!inPlace) adapter.Unmerge();
        return vector;
    }

    private static void Restore(BertForQuestionAnswering model, Dictionary<string, Tensor> start)
    {
        using var _ = no_grad();
        foreach (var p in model.NamedParameters.Where(p => start.ContainsKey(p.Name))) p.Parameter.copy_(start[p.Name]);
    }
}
