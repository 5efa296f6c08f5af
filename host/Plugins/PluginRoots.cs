namespace PeftQa.Host.Plugins;

/// <summary>Where plugins are searched, in order: the host's own folder, then --plugins folders, then the recipe's.</summary>
public static class PluginRoots
{
    public static IReadOnlyList<string> For(IEnumerable<string> commandLineFolders, IEnumerable<string> recipeFolders)
    {
        var roots = new List<string>();
        if (Directory.Exists(PluginLoader.BuiltInPluginsFolder)) roots.Add(PluginLoader.BuiltInPluginsFolder);
        roots.AddRange(commandLineFolders);
        roots.AddRange(recipeFolders);
        return roots;
    }
}
