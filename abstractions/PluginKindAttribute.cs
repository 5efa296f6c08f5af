namespace PeftQa.Abstractions;

/// <summary>
/// Marks a plugin contract (an interface derived from <see cref="IPeftQaPlugin"/>) with the kind name shown
/// in <c>peftqa plugins list</c>. The host discovers every contract so marked; adding a contract here needs no
/// change to the host.
/// </summary>
[AttributeUsage(AttributeTargets.Interface)]
public sealed class PluginKindAttribute(string kind) : Attribute
{
    public string Kind { get; } = kind;
}
