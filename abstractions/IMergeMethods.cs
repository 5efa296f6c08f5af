namespace PeftQa.Abstractions;

/// <summary>
/// The merge methods this host has, bundled and from plugins (<see cref="IMergeMethod"/>): a host service, so a plugin
/// that merges (the <c>merge</c> continual strategy) takes it as a constructor parameter and checks a method's name
/// while the recipe is validated.
/// </summary>
public interface IMergeMethods
{
    /// <summary>Every method, bundled ones first.</summary>
    IReadOnlyList<IMergeMethod> All { get; }

    /// <summary>The method named <paramref name="name"/> (case-insensitive), or null.</summary>
    IMergeMethod? Find(string name) => All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));
}
