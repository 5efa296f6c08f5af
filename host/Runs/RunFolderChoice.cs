using System.Globalization;
using System.Text.RegularExpressions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Runs;

/// <summary>Which folder a run writes: --out; else a new timestamped folder; else, resuming, the newest run of the recipe.</summary>
public static class RunFolderChoice
{
    /// <exception cref="BadInputException">--resume with no earlier run of the recipe under its output folder.</exception>
    public static string For(RunRequest request, Recipe recipe)
    {
        if (request.RunFolder is { } explicitFolder) return explicitFolder;
        if (!request.Resume) return Path.Combine(recipe.Output, $"{recipe.Name}-{DateTime.Now:yyyyMMdd-HHmmss}");
        return NewestRun(recipe)
               ?? throw new BadInputException(
                   $"--resume: no earlier run of '{recipe.Name}' under {Path.GetFullPath(recipe.Output)}; run it without --resume first");
    }

    /// <summary>The folder <see cref="For"/> chooses; null where it would refuse (reported where the folder is opened).</summary>
    public static string? TryFor(RunRequest request, Recipe recipe)
    {
        try { return For(request, recipe); }
        catch (BadInputException) { return null; }
    }

    /// <summary>The newest <c>&lt;name&gt;-&lt;time&gt;[-n]</c> folder holding a run of the recipe.</summary>
    private static string? NewestRun(Recipe recipe)
    {
        if (!Directory.Exists(recipe.Output)) return null;
        var ownName = new Regex($"^{Regex.Escape(recipe.Name)}-([0-9]{{8}}-[0-9]{{6}})(?:-([0-9]+))?$");
        return Directory.GetDirectories(recipe.Output).Select(d => (Folder: d, Name: ownName.Match(Path.GetFileName(d))))
            .Where(d => d.Name.Success && File.Exists(Path.Combine(d.Folder, RunFolder.RecipeFile)))
            .OrderBy(d => d.Name.Groups[1].Value, StringComparer.Ordinal)
            .ThenBy(d => d.Name.Groups[2].Success ? int.Parse(d.Name.Groups[2].Value, CultureInfo.InvariantCulture) : 1)
            .Select(d => d.Folder).LastOrDefault();
    }
}
