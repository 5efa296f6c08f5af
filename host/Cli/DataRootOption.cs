using System.CommandLine;

namespace PeftQa.Host.Cli;

/// <summary>--data-root, falling back to $PEFTQA_DATA: added and read by each verb that resolves data paths.</summary>
public sealed class DataRootOption
{
    public const string EnvironmentVariable = "PEFTQA_DATA";

    public DataRootOption(string description)
    {
        Option = new Option<string?>("--data-root") { Description = description };
        Option.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string?>()))
                result.AddError("--data-root: is empty; give the folder that relative data paths resolve against, or leave the option out");
        });
    }

    public Option<string?> Option { get; }

    /// <summary>
    /// The data root given, else $PEFTQA_DATA (an empty one counts as unset, as shells leave it); null when neither is
    /// set (the recipe's dataRoot applies).
    /// </summary>
    public string? Read(ParseResult parse) =>
        parse.GetValue(Option) ?? (Environment.GetEnvironmentVariable(EnvironmentVariable) is { } fromEnvironment
                                   && !string.IsNullOrWhiteSpace(fromEnvironment) ? fromEnvironment : null);
}
