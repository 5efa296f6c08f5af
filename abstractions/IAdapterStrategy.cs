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

    /// <summary>
    /// Adds this strategy's modules to <paramref name="model"/>, sets which parameters train, and returns the attachment.
    /// New parameters are created on the device of the model's parameters.
    /// </summary>
    IAdapter Attach(IAdaptableModel model, object options);

    /// <summary>
    /// The options stored in <paramref name="directory"/> when it holds an adapter in this strategy's own file format (for
    /// example PEFT's adapter_config.json), else null. Lets adapters saved by other tools load without a peftqa descriptor.
    /// </summary>
    object? ReadSavedOptions(string directory);
}

/// <summary>A strategy attached to one model: its trainable parameters and its saved state.</summary>
public interface IAdapter : IDisposable
{
    /// <summary>Name of the strategy that made it.</summary>
    string StrategyName { get; }

    /// <summary>Exactly the parameters the optimizer updates; everything else in the model is frozen.</summary>
    IReadOnlyList<NamedParameter> TrainableParameters { get; }

    /// <summary>Writes what this adapter trains (and only that) into <paramref name="directory"/>, which exists.</summary>
    void Save(string directory);

    /// <summary>Reads what <see cref="Save"/> wrote. Fails with <see cref="AdapterLoadException"/> naming the file and what
    /// does not match (another strategy, another base model's shapes).</summary>
    void Load(string directory);

    /// <summary>False: the model computes as if this adapter were not attached; its trained state is kept. Dispose detaches it.</summary>
    bool Enabled { get; set; }

    /// <summary>True when <see cref="Merge"/> folds the adapter into the base weights.</summary>
    bool SupportsMerge { get; }

    /// <summary>Folds the adapter into the base weights so inference costs nothing extra.</summary>
    void Merge();

    /// <summary>Undoes <see cref="Merge"/>.</summary>
    void Unmerge();
}

/// <summary>Base class with typed options. Override <see cref="Validate(TOptions, ModelDescription)"/> and <see cref="Attach(IAdaptableModel, TOptions)"/>.</summary>
public abstract class AdapterStrategy<TOptions> : IAdapterStrategy where TOptions : class, new()
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    public Type OptionsType => typeof(TOptions);

    public IReadOnlyList<string> Validate(object options, ModelDescription model) => Validate(PluginOptions.Cast<TOptions>(Name, options), model);

    public IAdapter Attach(IAdaptableModel model, object options) => Attach(model, PluginOptions.Cast<TOptions>(Name, options));

    public virtual object? ReadSavedOptions(string directory) => null;

    protected virtual IReadOnlyList<string> Validate(TOptions options, ModelDescription model) => [];

    protected abstract IAdapter Attach(IAdaptableModel model, TOptions options);
}
