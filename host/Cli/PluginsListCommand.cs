using System.Text.Json;
using Microsoft.Extensions.Options;
using PeftQa.Host.Plugins;
using Spectre.Console;
using PeftQa.Host.Reporting;

namespace PeftQa.Host.Cli;

/// <summary><c>peftqa plugins list [--json]</c>: name, kind, version, path and each option with its default.</summary>
public sealed class PluginsListCommand(PluginLoader loader, IOptions<PeftQaSettings> settings, CliConsole console)
{
    public int Execute(bool json)
    {
        var catalog = loader.Load(PluginRoots.For(settings.Value.PluginFolders, []));
        var plugins = catalog.Plugins.OrderBy(p => p.Kind, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
        if (json)
        {
            var rows = plugins.Select(p => new
            {
                p.Name,
                p.Kind,
                p.Version,
                Path = p.AssemblyPath,
                p.Description,
                Options = p.Options.Select(o => new { o.Name, o.Type, o.Default, o.Description }),
            });
            console.Out.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
            return PeftQaCommandLine.Success;
        }

        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(console.Out),
            Ansi = console.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = console.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!console.IsTerminal) terminal.Profile.Width = 160;
        var table = new Table().AddColumns("Name", "Kind", "Version", "Options (default)", "Path");
        foreach (var plugin in plugins)
        {
            var options = plugin.Options.Count == 0 ? "-" : string.Join("\n", plugin.Options.Select(o => $"{o.Name}: {o.Type} = {o.Default}"));
            table.AddRow(Markup.Escape(plugin.Name), plugin.Kind, plugin.Version, Markup.Escape(options), Markup.Escape(plugin.AssemblyPath));
        }
        terminal.Write(table);
        if (plugins.Count == 0) console.Out.WriteLine("No plugins found.");
        console.Out.WriteLine($"Contracts: {ContractsVersion.AssemblyName} {ContractsVersion.Format(ContractsVersion.Host)} (plugins built against {ContractsVersion.Host.Major}.x load here).");
        return PeftQaCommandLine.Success;
    }
}
