using PeftQa.Abstractions;

namespace PeftQa.Host.Plugins;

/// <summary>One option of a configurable plugin as <c>plugins list</c> shows it.</summary>
public sealed record PluginOption(string Name, string Type, string Default, string? Description);

/// <summary>A plugin instance with what the host knows about where it came from.</summary>
public sealed record LoadedPlugin(
    string Name,
    string Kind,
    string Version,
    string AssemblyPath,
    string Description,
    IReadOnlyList<PluginOption> Options,
    IPeftQaPlugin Instance);

/// <summary>A plugin folder that could not be used, and why; the other folders still load.</summary>
public sealed record PluginLoadFailure(string Folder, string Reason)
{
    public override string ToString() => $"plugin folder {Folder} skipped: {Reason}";
}
