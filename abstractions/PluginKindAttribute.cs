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

/// <summary>A plugin with options: a class with a public parameterless constructor whose property initialisers are the defaults.</summary>
public interface IConfigurablePlugin : IPeftQaPlugin
{
    /// <summary>The options class. Public settable properties are the options; a <c>[Description]</c> on each documents it.</summary>
    Type OptionsType { get; }
}

/// <summary>The typed plugin bases' one check that the host passed the options class they declared.</summary>
internal static class PluginOptions
{
    public static TOptions Cast<TOptions>(string plugin, object options) where TOptions : class => options as TOptions
        ?? throw new ArgumentException($"{plugin} expects options of type {typeof(TOptions).Name}, got {options?.GetType().Name ?? "null"}", nameof(options));
}
