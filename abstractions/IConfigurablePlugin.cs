namespace PeftQa.Abstractions;

/// <summary>A plugin with options: a class with a public parameterless constructor whose property initialisers are the defaults.</summary>
public interface IConfigurablePlugin : IPeftQaPlugin
{
    /// <summary>The options class. Public settable properties are the options; a <c>[Description]</c> on each documents it.</summary>
    Type OptionsType { get; }
}
