namespace PeftQa.Abstractions;

/// <summary>
/// Base class with typed options. Override <see cref="Validate(TOptions, AdapterTraits)"/> and
/// <see cref="Start(ContinualSetup, TOptions)"/>.
/// </summary>
public abstract class ContinualStrategy<TOptions> : IContinualStrategy where TOptions : class, new()
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    public Type OptionsType => typeof(TOptions);

    public IReadOnlyList<string> Validate(object options, AdapterTraits adapter) => Validate(PluginOptions.Cast<TOptions>(Name, options), adapter);

    public IContinualLearner Start(ContinualSetup setup, object options) => Start(setup, PluginOptions.Cast<TOptions>(Name, options));

    protected virtual IReadOnlyList<string> Validate(TOptions options, AdapterTraits adapter) => [];

    protected abstract IContinualLearner Start(ContinualSetup setup, TOptions options);
}
