using Spectre.Console;

namespace PeftQa.Host.Reporting;

/// <summary>
/// Where a command writes: results to <see cref="Out"/>, logs and errors to <see cref="Error"/>, so that
/// <c>--json</c> output can be piped. Tests pass string writers; the program passes the process's streams.
/// </summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool IsTerminal, TextReader? Input = null)
{
    public TextReader In => Input ?? TextReader.Null;

    /// <summary>
    /// Spectre.Console over <see cref="Out"/>: colours on a terminal; plain text <paramref name="width"/> columns wide
    /// when piped or captured, so tables do not wrap at an unknown width.
    /// </summary>
    public IAnsiConsole Terminal(int width)
    {
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!IsTerminal) terminal.Profile.Width = width;
        return terminal;
    }

    public static CliConsole System => new(Console.Out, Console.Error, !Console.IsOutputRedirected && !Console.IsErrorRedirected, Console.In);
}
