using PeftQa.Host.Cli;
using PeftQa.Host.Reporting;

namespace PeftQa.Tests.Support;

public sealed record CliResult(int ExitCode, string Out, string Error);

/// <summary>Runs the peftqa command line in-process with captured output.</summary>
public static class PeftqaCli
{
    public static async Task<CliResult> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await PeftQaCommandLine.RunAsync(args, new CliConsole(output, error, IsTerminal: false));
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
