using PeftQa.Abstractions;
using PeftQa.Host.Merging;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Plugins;

/// <summary>The plugins loaded for one command, looked up by kind and name.</summary>
public sealed class PluginCatalog(IReadOnlyList<LoadedPlugin> plugins, IReadOnlyList<PluginLoadFailure> failures)
{
    public IReadOnlyList<LoadedPlugin> Plugins { get; } = plugins;

    public IReadOnlyList<PluginLoadFailure> Failures { get; } = failures;

    /// <summary>The bundled merge methods and those of this catalog's merge-method plugins.</summary>
    public MergeMethods MergeMethods { get; init; } = new();

    public IEnumerable<LoadedPlugin> OfType<TContract>() where TContract : IPeftQaPlugin =>
        Plugins.Where(p => p.Instance is TContract);

    public LoadedPlugin? Find<TContract>(string name) where TContract : IPeftQaPlugin =>
        OfType<TContract>().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The plugin, or a <see cref="BadInputException"/> that says where the name was used and what is available.</summary>
    public TContract Require<TContract>(string name, string usedAt) where TContract : IPeftQaPlugin
    {
        if (Find<TContract>(name) is { Instance: TContract plugin }) return plugin;
        var available = OfType<TContract>().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        string kind = PluginLoader.KindOf(typeof(TContract));
        throw new BadInputException(
            $"{usedAt}: no {kind} plugin named '{name}'; available: {(available.Count == 0 ? "none" : string.Join(", ", available))}");
    }
}
