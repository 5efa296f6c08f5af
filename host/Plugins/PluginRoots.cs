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

    /// <summary>The host's and --plugins folders, then the folders a recipe names, resolved against its own folder.</summary>
    public static IReadOnlyList<string> For(IEnumerable<string> commandLineFolders, Recipes.RecipeLoader.LoadedRecipe recipe) =>
        For(commandLineFolders, recipe.Recipe.Plugins.Select(folder => Path.GetFullPath(folder, recipe.Directory)));
}
