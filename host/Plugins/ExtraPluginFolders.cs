namespace PeftQa.Host.Plugins;

/// <summary>--plugins: folders searched after the host's own, before a recipe's (<see cref="PluginRoots"/>).</summary>
public sealed record ExtraPluginFolders(IReadOnlyList<string> Folders)
{
    public static readonly ExtraPluginFolders None = new([]);
}
