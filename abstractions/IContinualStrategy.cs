namespace PeftQa.Abstractions;

/// <summary>
/// A continual-learning strategy: how a study trains on task after task so the earlier tasks are not forgotten.
/// Examples: naive sequential training, replay, EWC, one adapter per task, O-LoRA. It works with whichever adapter
/// strategy the recipe pairs it with, through <see cref="ContinualSetup.AttachAdapter"/>, and refuses pairings that
/// make no sense in <see cref="Validate"/>, before any work starts.
/// </summary>
/// <remarks>
/// The host drives a study: <see cref="Start"/>, then for each task <see cref="IContinualLearner.BeginTask"/>, training
/// (each step's loss plus <see cref="IContinualLearner.Penalty"/>, each micro-batch plus
/// <see cref="IContinualLearner.ReplayWindows"/>), <see cref="IContinualLearner.EndTask"/>,
/// <see cref="IContinualLearner.Save"/>, and evaluation on every task. Options work as for adapter strategies (see
/// <see cref="IAdapterStrategy"/>); derive from <see cref="ContinualStrategy{TOptions}"/> to get them typed.
/// </remarks>
[PluginKind("continual-strategy")]
public interface IContinualStrategy : IConfigurablePlugin
{
    /// <summary>
    /// Problems with these options or with pairing them with <paramref name="adapter"/>, one message per problem, each
    /// naming the option or the adapter strategy and what would work instead; empty when valid.
    /// </summary>
    IReadOnlyList<string> Validate(object options, AdapterTraits adapter);

    /// <summary>Starts a study on <see cref="ContinualSetup.Model"/>; no adapter is attached yet.</summary>
    IContinualLearner Start(ContinualSetup setup, object options);
}
