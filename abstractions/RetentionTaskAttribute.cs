namespace PeftQa.Abstractions;

/// <summary>
/// Marks a string option that names a retention task of the recipe (or is null). The host checks, before any work, that
/// the recipe has a retention task of that name with a memory (<c>tasks[].memory</c>), and says so otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RetentionTaskAttribute : Attribute
{
}
