namespace PeftQa.Abstractions;

/// <summary>
/// What every plugin is. The host discovers plugins by contract: any public, non-abstract class in a plugin
/// assembly that implements an interface derived from this one (<see cref="IAdapterStrategy"/>,
/// <see cref="IMetric"/>) and has a public constructor is created once and registered under <see cref="Name"/>.
/// Names are unique across all loaded plugins of one kind; recipes refer to plugins by name.
/// </summary>
/// <remarks>
/// A constructor may take <c>Microsoft.Extensions.Logging.ILogger&lt;T&gt;</c> or other host services; the host
/// resolves them from its service provider.
/// </remarks>
public interface IPeftQaPlugin
{
    /// <summary>The name recipes use, for example <c>lora</c> or <c>f1</c>. Case-insensitive, unique per kind.</summary>
    string Name { get; }

    /// <summary>One sentence for <c>peftqa plugins list</c>.</summary>
    string Description { get; }
}
