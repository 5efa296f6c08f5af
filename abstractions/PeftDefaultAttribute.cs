namespace PeftQa.Abstractions;

/// <summary>
/// Marks an option whose default differs from Hugging Face PEFT's for the same setting: PEFT's value, and why ours
/// differs. <c>peftqa plugins list</c> and the docs show both, so a user who wants PEFT's behaviour names PEFT's value
/// in the recipe. Added in contracts 1.1.
/// </summary>
/// <param name="value">PEFT's default, as JSON would write it (for example <c>8</c>, <c>"random"</c>, <c>["query", "value"]</c>).</param>
/// <param name="reason">Why ours differs: the evidence, in a sentence.</param>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PeftDefaultAttribute(string value, string reason) : Attribute
{
    public string Value { get; } = value;

    public string Reason { get; } = reason;
}
