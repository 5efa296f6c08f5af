using PeftQa.Abstractions;
using static TorchSharp.torch;

namespace MyPlugin;

/// <summary>
/// The attached adapter: what trains, and how it is saved beside a run (<c>studies/&lt;label&gt;/adapter</c>) and loaded
/// back for <c>peftqa predict --adapter</c>.
/// </summary>
public sealed class PluginClassAdapter(string strategyName, IReadOnlyList<NamedParameter> trainable) : IAdapter
{
    private const string WeightsFile = "bias_tuning.safetensors";

    public string StrategyName => strategyName;

    public IReadOnlyList<NamedParameter> TrainableParameters => trainable;

    /// <summary>The trained values are the model's own, so there is nothing to switch off.</summary>
    public bool Enabled
    {
        get => true;
        set { if (!value) throw new NotSupportedException("bias tuning changes the model's own parameters; it cannot be disabled"); }
    }

    /// <summary>Already part of the weights: a merged export (peftqa export) needs nothing more.</summary>
    public bool SupportsMerge => true;

    public void Merge() { }

    public void Unmerge() { }

    public void Save(string directory) =>
        SafeTensors.Save(Path.Combine(directory, WeightsFile), trainable.Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Parameter)));

    /// <summary>
    /// AdapterFiles does the checks every adapter needs: a missing file or tensor, or another shape, names the file and
    /// tensor; tensors this model has no place for are reported last (an adapter made for a deeper model).
    /// </summary>
    public void Load(string directory) =>
        AdapterFiles.LoadParameters(Path.Combine(directory, WeightsFile), trainable.Select(p => (p.Name, p.Parameter)),
            $"{trainable.Count} trained tensors", "was it saved with other options (trainHead, trainLayerNorm) or for another model?");

    public void Dispose() { }
}
