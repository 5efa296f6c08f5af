using System.ComponentModel;

namespace PeftQa.Abstractions;

/// <summary>
/// An adapter strategy decides how a pretrained encoder is adapted to a task: which parameters train, which
/// modules it adds, and what is saved. Examples: full fine-tuning, LoRA, prompt tuning, P-tuning v2.
/// </summary>
/// <remarks>
/// <para>Options: <see cref="IConfigurablePlugin.OptionsType"/> is a class with a public parameterless constructor. Its public settable
/// properties are the options; their initial values are the documented defaults, and a
/// <see cref="DescriptionAttribute"/> on each explains it in <c>peftqa plugins list</c>. Recipes give options as
/// JSON using camelCase property names; unknown names and wrong types are rejected before any work starts.</para>
/// <para>Derive from <see cref="AdapterStrategy{TOptions}"/> to get typed options.</para>
/// </remarks>
[PluginKind("adapter-strategy")]
public interface IAdapterStrategy : IConfigurablePlugin
{
    /// <summary>
    /// Checks what the types cannot (r &gt; 0, known module names, a prompt that fits the sequence) before any work.
    /// Returns one message per problem, each naming the option and what was expected; empty when valid.
    /// </summary>
    IReadOnlyList<string> Validate(object options, ModelDescription model);

    /// <summary>What adapters made with these options are and need (<see cref="AdapterTraits"/>); declared, not probed.</summary>
    AdapterTraits Traits(object options);

    /// <summary>
    /// Adds this strategy's modules to <paramref name="model"/>, sets which parameters train, and returns the attachment.
    /// New parameters are created with the model's <see cref="IAdaptableModel.ParameterDType"/> on its <see cref="IAdaptableModel.Device"/>;
    /// the QA head (<see cref="IAdaptableModel.HeadParameters"/>) trains unless the strategy says otherwise.
    /// </summary>
    IAdapter Attach(IAdaptableModel model, object options);

    /// <summary>
    /// The options stored in <paramref name="directory"/> when it holds an adapter in this strategy's own file format (for
    /// example PEFT's adapter_config.json), else null. Lets adapters saved by other tools load without a peftqa descriptor.
    /// </summary>
    object? ReadSavedOptions(string directory);

    /// <summary>
    /// The learning rate a study of this strategy uses when the recipe sets none (neither <c>adapters[].learningRate</c> nor
    /// <c>training.learningRate</c>); null: the recipe's default. Methods differ in their usual rates by orders of
    /// magnitude (full fine-tuning about 3e-5, LoRA 1e-3, soft prompts 1e-2), so naming only the strategy should give a
    /// rate that works. Added in contracts 1.1; plugins built against 1.0 get null.
    /// </summary>
    double? RecommendedLearningRate => null;
}
