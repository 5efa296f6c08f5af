using PeftQa.Abstractions;
using TorchSharp.Modules;

namespace PeftQa.Host.Training;

/// <summary>
/// Trainable parameters that share an optimizer setting: weight decay or none (biases and LayerNorm weights get none,
/// as in Hugging Face's Trainer) and a learning-rate scale (<see cref="NamedParameter.LearningRateScale"/>, LoRA+).
/// </summary>
public sealed record ParameterGroup(IReadOnlyList<Parameter> Parameters, bool Decays, double LearningRateScale)
{
    /// <summary>
    /// The groups, scale 1 first, each scale with decay before no decay. With every scale 1 that is the two groups
    /// training always had, so checkpoints of earlier runs keep their optimizer state's layout.
    /// </summary>
    public static IReadOnlyList<ParameterGroup> Of(IReadOnlyList<NamedParameter> trainable)
    {
        var scales = trainable.Select(p => p.LearningRateScale).Distinct().OrderBy(s => s == 1 ? 0 : 1).ThenBy(s => s);
        var groups = new List<ParameterGroup>();
        foreach (double scale in scales)
            foreach (bool decays in (bool[])[true, false])
            {
                var members = trainable
                    .Where(p => p.LearningRateScale == scale && TakesWeightDecay(p.Name) == decays)
                    .Select(p => p.Parameter)
                    .ToList();
                if (members.Count > 0) groups.Add(new ParameterGroup(members, decays, scale));
            }
        return groups;
    }

    private static bool TakesWeightDecay(string name) =>
        !name.EndsWith(".bias", StringComparison.Ordinal) && !name.Contains("LayerNorm", StringComparison.Ordinal);
}
