using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PeftQa.Host.Foundation;
using PeftQa.Host.Reporting;
using PeftQa.Host.Runs;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace PeftQa.Host.Cli;

/// <summary>Builds the generic host one command runs in: Serilog (the console and the run folder's log), and the services.</summary>
public static class HostFactory
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";

    public static IHost Build(ComputeSettings compute, IReadOnlyList<string> pluginFolders, CliConsole console, bool verbose)
    {
        var runLog = new RunLogSink();
        var consoleLevel = verbose ? LogEventLevel.Debug : LogEventLevel.Information;
        var logging = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Sink(runLog);
        logging = ReferenceEquals(console.Error, Console.Error)
            ? logging.WriteTo.Console(
                restrictedToMinimumLevel: consoleLevel,
                outputTemplate: ConsoleTemplate,
                standardErrorFromLevel: LogEventLevel.Verbose)
            : logging.WriteTo.Sink(
                new TextWriterSink(console.Error, new MessageTemplateTextFormatter(ConsoleTemplate)),
                restrictedToMinimumLevel: consoleLevel);

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSerilog(logging.CreateLogger(), dispose: true);
        builder.Services.AddSingleton(console);
        builder.Services.AddRunServices(compute, pluginFolders);
        builder.Services.AddSingleton(runLog);
        builder.Services.AddTransient<PluginsListCommand>();
        builder.Services.AddTransient<DataCheckCommand>();
        builder.Services.AddTransient<PredictCommand>();
        builder.Services.AddTransient<SchemaCommand>();
        builder.Services.AddTransient<ReportCommand>();
        builder.Services.AddTransient<StatusCommand>();
        
        return builder.Build();
    }

    /// <summary>Log lines to a caller's writer (tests capture them this way).</summary>
    private sealed class TextWriterSink(TextWriter writer, ITextFormatter formatter) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            lock (writer) formatter.Format(logEvent, writer);
        }
    }
}
