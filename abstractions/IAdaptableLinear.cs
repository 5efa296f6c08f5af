using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>A Linear layer that methods extend (<see cref="ILinearExtension"/>) and merge deltas into.</summary>
public interface IAdaptableLinear
{
    /// <summary>Hugging Face module name, for example <c>bert.encoder.layer.0.attention.self.query</c>.</summary>
    string Name { get; }

    long InFeatures { get; }

    long OutFeatures { get; }

    /// <summary>Weight, [out, in] as in torch.nn.Linear.</summary>
    Parameter Weight { get; }

    Parameter? Bias { get; }

    /// <summary>Extensions by name, in the order they were added (the order they apply in).</summary>
    IReadOnlyList<KeyValuePair<string, ILinearExtension>> Extensions { get; }

    /// <summary>Adds an extension after the existing ones. Names are unique per layer.</summary>
    void AddExtension(string name, ILinearExtension extension);

    /// <summary>Removes an extension; false if there was none by that name.</summary>
    bool RemoveExtension(string name);

    /// <summary>W += delta ([out, in]), without recording gradients.</summary>
    void MergeIntoWeight(Tensor delta);

    /// <summary>W -= delta ([out, in]), the inverse of <see cref="MergeIntoWeight"/>.</summary>
    void UnmergeFromWeight(Tensor delta);

    /// <summary>b += delta ([out]), without recording gradients; fails when the layer has no bias.</summary>
    void MergeIntoBias(Tensor delta);

    /// <summary>b -= delta ([out]), the inverse of <see cref="MergeIntoBias"/>.</summary>
    void UnmergeFromBias(Tensor delta);
}
