namespace PeftQa.Host.Plugins;

/// <summary>One option of a configurable plugin as <c>plugins list</c> shows it.</summary>
public sealed record PluginOption(string Name, string Type, string Default, string? Description);
