using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>
/// A way to merge several adapters trained on the same base model into one, tensor by tensor: each adapter is given as its
/// task vector for one parameter (its weights minus the base model's, Ilharco et al. 2023), and the method returns the
/// delta the merged model adds to that parameter. Examples: <c>linear</c> (a weighted sum), <c>ties</c> (Yadav et al.
/// 2023), <c>dare_ties</c> (Yu et al. 2024). Bundled methods live in the host; a third party adds one by implementing this
/// in a plugin assembly, and <c>peftqa merge --method</c> and the <c>merge</c> continual strategy find it by name.
/// </summary>
[PluginKind("merge-method")]
public interface IMergeMethod : IPeftQaPlugin
{
    /// <summary>
    /// Problems with <paramref name="settings"/> for this method, one message per problem naming the setting (for example
    /// <c>density</c>) and what was expected; empty when valid. Called before any work starts.
    /// </summary>
    IReadOnlyList<string> Validate(MergeSettings settings) => [];

    /// <summary>
    /// The merged delta of one parameter, the shape of each of <paramref name="deltas"/> (one per adapter, in order, each
    /// with its weight in <paramref name="weights"/>). Must not change its arguments. Random choices (DARE's drops) come
    /// from <paramref name="generator"/>, which the host seeds from <see cref="MergeSettings.Seed"/> and the parameter's
    /// name, so a merge is the same on every run and in every order.
    /// </summary>
    Tensor Merge(IReadOnlyList<Tensor> deltas, IReadOnlyList<double> weights, MergeSettings settings, Generator generator);
}
