namespace PeftQa.Host.Plugins;

/// <summary>One option of a configurable plugin as <c>plugins list</c> shows it.</summary>
/// <param name="PeftDefault">Hugging Face PEFT's default where ours differs (<see cref="Abstractions.PeftDefaultAttribute"/>), else null.</param>
/// <param name="WhyNotPeft">Why ours differs from <paramref name="PeftDefault"/>.</param>
public sealed record PluginOption(
    string Name,
    string Type,
    string Default,
    string? Description,
    string? PeftDefault = null,
    string? WhyNotPeft = null);
