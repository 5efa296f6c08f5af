using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PeftQa.Host.Foundation;
using PeftQa.Host.Reporting;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Cli;

/// <summary>
/// The <c>peftqa</c> command line: the verb list, the global options and the exit codes (0 success, 1 the work failed,
/// 2 bad usage or input). Each verb defines its own options in its own file.
/// </summary>
public static class PeftQaCommandLine
{
    public const int Success = 0;
    public const int WorkFailed = 1;
    public const int BadInput = 2;

    /// <summary>ENOSPC and EDQUOT: .NET reports the errno as the IOException's HResult on Linux.</summary>
    private const int NoSpaceLeftOnDevice = 28, DiskQuotaExceeded = 122;

    public static async Task<int> RunAsync(string[] args, CliConsole? console = null, CancellationToken cancellation = default)
    {
        console ??= CliConsole.System;
        var globals = GlobalOptions.Create();
        var verbs = new VerbSetup(globals, console);
        var root = new RootCommand("PeftQa: fine-tune BERT-family encoders for extractive question answering with full, LoRA and " +
                                   "soft-prompt strategies, and measure forgetting across task sequences.");
        foreach (var option in globals.All) root.Options.Add(option);
        Command[] commands =
        [
            RunCommand.Create(verbs), ReportCommand.Create(verbs), StatusCommand.Create(verbs), SubmitCommand.Create(verbs),
            CompareCommand.Create(verbs), BenchCommand.Create(verbs),
            new Command("data", "Inspect QA data.") { DataCheckCommand.Create(verbs) },
            ScoreCommand.Create(verbs), EvalCommand.Create(verbs), PredictCommand.Create(verbs), ExportCommand.Create(verbs),
            MergeCommand.Create(verbs),
            new Command("plugins", "Inspect plugins.") { PluginsListCommand.Create(verbs) },
            SchemaCommand.Create(verbs),
        ];
        foreach (var command in commands) root.Subcommands.Add(command);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) await console.Error.WriteLineAsync($"peftqa: {ParseErrorWords.For(error)}");
            await console.Error.WriteLineAsync("Try 'peftqa --help'.");
            return BadInput;
        }
        // Signals are ours to handle (SignalHandling): System.CommandLine's own handler would end the process 2 s after one.
        var invocation = new InvocationConfiguration { Output = console.Out, Error = console.Error, ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(invocation, cancellation);
    }

    /// <summary>Builds the host for one verb and turns what can go wrong into exit codes and messages.</summary>
    internal static async Task<int> Execute(ParseResult parse, GlobalOptions globals, CliConsole cli, CancellationToken token,
        Func<IServiceProvider, Task<int>> work)
    {
        using var host = HostFactory.Build(globals.Compute(parse), globals.PluginFolders(parse), cli, parse.GetValue(globals.Verbose));
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PeftQaCommandLine));
        var runFolder = () => host.Services.GetRequiredService<RunLogSink>().RunFolder;
        try
        {
            return await work(host.Services);
        }
        catch (BadInputException e)
        {
            foreach (var problem in e.Problems)
            {
                logger.LogDebug("Bad input: {Problem}", problem);
                await cli.Error.WriteLineAsync($"error: {problem}");
            }
            return BadInput;
        }
        catch (IOException e) when (e.HResult is NoSpaceLeftOnDevice or DiskQuotaExceeded)
        {
            logger.LogError("Disk full: {Message}. {Saved} Free some space, then continue with --resume", e.Message, DiskFullAdvice.For(runFolder()));
            return WorkFailed;
        }
        catch (WorkFailedException e)
        {
            logger.LogError("Failed: {Message}", e.Message);
            return WorkFailed;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            var stopped = StopSignal.Describe();
            logger.LogWarning("{Stopped}{Resume}", char.ToUpperInvariant(stopped[0]) + stopped[1..],
                runFolder() is { } folder ? $": everything saved in {folder} is kept; continue with --resume" : "");
            return StopSignal.Current?.ExitCode ?? WorkFailed;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Failed: {Message}", e.Message);
            return WorkFailed;
        }
    }
}
