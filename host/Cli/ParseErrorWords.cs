using System.CommandLine.Completions;
using System.CommandLine.Parsing;

namespace PeftQa.Host.Cli;

/// <summary>
/// A value an option could not be converted to its type, said with the option and what it takes in words ("--device:
/// 'gpu' is not one of auto, cpu, cuda") instead of System.CommandLine's .NET type name; any other error as it is.
/// </summary>
public static class ParseErrorWords
{
    public static string For(ParseError error)
    {
        var option = error.SymbolResult switch
        {
            OptionResult result => result,
            ArgumentResult { Parent: OptionResult result } => result,
            _ => null,
        };
        if (option is not { Tokens.Count: > 0 }) return error.Message;
        var given = string.Join(" ", option.Tokens.Select(t => t.Value));
        if (ValueInWords(option.Option.ValueType) is { } expected) return $"{option.Option.Name}: '{given}' is not {expected}";
        // A word option (AcceptOnlyFromAmong) offers its allowed words as completions; its own message spans lines and omits the option.
        var allowed = option.Option.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList();
        return allowed.Count > 0 && !allowed.Contains(given, StringComparer.Ordinal)
            ? $"{option.Option.Name}: '{given}' is not one of {string.Join(", ", allowed)}"
            : error.Message;
    }

    /// <summary>What an option of <paramref name="type"/> takes, in words; null for text, which always converts.</summary>
    private static string? ValueInWords(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int)) return $"a whole number (up to {int.MaxValue})";
        if (type == typeof(long)) return $"a whole number (up to {long.MaxValue})";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()))}";
        return null;
    }
}
