namespace PeftQa.Abstractions;

/// <summary>
/// Base class with typed options. Override <see cref="Validate(TOptions, ModelDescription)"/>,
/// <see cref="Traits(TOptions)"/> and <see cref="Attach(IAdaptableModel, TOptions)"/>.
/// </summary>
public abstract class AdapterStrategy<TOptions> : IAdapterStrategy where TOptions : class, new()
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    public Type OptionsType => typeof(TOptions);

    public IReadOnlyList<string> Validate(object options, ModelDescription model) => Validate(PluginOptions.Cast<TOptions>(Name, options), model);

    public IAdapter Attach(IAdaptableModel model, object options) => Attach(model, PluginOptions.Cast<TOptions>(Name, options));

    public AdapterTraits Traits(object options) => Traits(PluginOptions.Cast<TOptions>(Name, options)) with { Strategy = Name };

    public virtual object? ReadSavedOptions(string directory) => null;

    /// <inheritdoc cref="IAdapterStrategy.RecommendedLearningRate"/>
    public virtual double? RecommendedLearningRate => null;

    protected abstract AdapterTraits Traits(TOptions options);

    protected virtual IReadOnlyList<string> Validate(TOptions options, ModelDescription model) => [];

    protected abstract IAdapter Attach(IAdaptableModel model, TOptions options);
}
