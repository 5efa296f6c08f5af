using PeftQa.Abstractions;

namespace PeftQa.Host.Plugins;

/// <summary>A plugin instance with what the host knows about where it came from.</summary>
public sealed record LoadedPlugin(
    string Name,
    string Kind,
    string Version,
    string AssemblyPath,
    string Description,
    IReadOnlyList<PluginOption> Options,
    IPeftQaPlugin Instance);
