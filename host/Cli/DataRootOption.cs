using System.CommandLine;

namespace PeftQa.Host.Cli;

/// <summary>--data-root, falling back to $PEFTQA_DATA: added and read by each verb that resolves data paths.</summary>
public sealed class DataRootOption(string description)
{
    public const string EnvironmentVariable = "PEFTQA_DATA";

    public Option<string?> Option { get; } = new("--data-root") { Description = description };

    /// <summary>The data root given, else $PEFTQA_DATA; null when neither is set (the recipe's dataRoot applies).</summary>
    public string? Read(ParseResult parse) => parse.GetValue(Option) ?? Environment.GetEnvironmentVariable(EnvironmentVariable);
}
