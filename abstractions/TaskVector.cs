using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>
/// A task vector (Ilharco et al. 2023): what training changed in a model, as its parameters now minus their values in
/// <c>start</c>, for the parameters that changed. Shared by the host's <c>peftqa merge</c> and the merge strategy.
/// </summary>
public static class TaskVector
{
    /// <summary>
    /// Per parameter name, the model's value minus <paramref name="start"/>'s, for every parameter that
    /// <paramref name="start"/> holds and that differs from it (adapters' own parameters are not the model's).
    /// </summary>
    public static Dictionary<string, Tensor> Since(IAdaptableModel model, IReadOnlyDictionary<string, Tensor> start)
    {
        var vector = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var _ = no_grad();
        foreach (var p in model.NamedParameters)
        {
            if (!start.TryGetValue(p.Name, out var before)) continue;
            using var scope = NewDisposeScope();
            var delta = p.Parameter.detach() - before;
            if (delta.abs().max().item<float>() > 0) vector[p.Name] = delta.MoveToOuterDisposeScope();
        }
        return vector;
    }
}
