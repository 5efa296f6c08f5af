using System.CommandLine;

using PeftQa.Host.Reporting;

namespace PeftQa.Host.Cli;

/// <summary>
/// What every verb's definition needs: the global options and the console, and the one way a verb's action runs
/// (<see cref="PeftQaCommandLine.Execute"/>: the host built for the verb, failures turned into exit codes).
/// </summary>
public sealed class VerbSetup(GlobalOptions globals, CliConsole console)
{
    public CliConsole Console => console;

    /// <summary>The verb's action: <paramref name="work"/> with the parsed options and the verb's services.</summary>
    public void Handle(Command command, Func<ParseResult, IServiceProvider, CancellationToken, int> work) =>
        command.SetAction((parse, token) =>
            PeftQaCommandLine.Execute(parse, globals, console, token, services => Task.FromResult(work(parse, services, token))));
}
