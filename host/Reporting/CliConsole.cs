namespace PeftQa.Host.Reporting;

/// <summary>
/// Where a command writes: results to <see cref="Out"/>, logs and errors to <see cref="Error"/>, so that
/// <c>--json</c> output can be piped. Tests pass string writers; the program passes the process's streams.
/// </summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool IsTerminal, TextReader? Input = null)
{
    public TextReader In => Input ?? TextReader.Null;

    public static CliConsole System => new(Console.Out, Console.Error, !Console.IsOutputRedirected && !Console.IsErrorRedirected, Console.In);
}
