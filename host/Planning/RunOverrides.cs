using PeftQa.Host.Recipes;

namespace PeftQa.Host.Planning;

/// <summary>
/// What the command line sets instead of the recipe, handed to <see cref="RunPlanner"/>: the plan (and the run folder's
/// recipe.json, which a resume compares) records the effective value, and a refused resume names the option.
/// </summary>
/// <param name="Precision">--precision: replaces training.precision.</param>
/// <param name="DataRoot">--data-root, else $PEFTQA_DATA: replaces the recipe's dataRoot.</param>
public sealed record RunOverrides(Precision? Precision = null, string? DataRoot = null)
{
    public static readonly RunOverrides None = new();

    /// <summary>The recipe fields these overrides replace, by JSON path, with the option that replaced each.</summary>
    public IReadOnlyDictionary<string, string> SetByOptions =>
        Precision is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["$.training.precision"] = "--precision" };

    /// <summary>The recipe as the run uses it: every override applied.</summary>
    public Recipe ApplyTo(Recipe recipe) =>
        Precision is { } precision ? recipe with { Training = recipe.Training with { Precision = precision } } : recipe;

    /// <summary>The data root these overrides give, as a full path; null when the recipe's own applies.</summary>
    public string? FullDataRoot => DataRoot is null ? null : Path.GetFullPath(DataRoot);
}
