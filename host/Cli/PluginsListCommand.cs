using System.Text.Json;
using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Abstractions;
using PeftQa.Host.Plugins;
using Spectre.Console;
using PeftQa.Host.Reporting;

namespace PeftQa.Host.Cli;

/// <summary><c>peftqa plugins list [--json]</c>: name, kind, version, path and each option with its default.</summary>
public sealed class PluginsListCommand(PluginLoader loader, ExtraPluginFolders pluginFolders, CliConsole console)
{
    /// <summary><c>list</c>, a verb of <c>plugins</c>.</summary>
    public static Command Create(VerbSetup verbs)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of a table." };
        var list = new Command("list", "List the loaded plugins with their options and defaults.") { json };
        verbs.Handle(list, (parse, services, _) => services.GetRequiredService<PluginsListCommand>().Execute(parse.GetValue(json)));
        return list;
    }

    public int Execute(bool json)
    {
        var catalog = loader.Load(PluginRoots.For(pluginFolders.Folders, []));
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
                RecommendedLearningRate = (p.Instance as IAdapterStrategy)?.RecommendedLearningRate,
                Options = p.Options.Select(o => new { o.Name, o.Type, o.Default, o.Description, o.PeftDefault, o.WhyNotPeft }),
            });
            console.Out.WriteLine(JsonSerializer.Serialize(rows,
                new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
            return PeftQaCommandLine.Success;
        }

        var terminal = console.Terminal(width: 160);
        var table = new Table().AddColumns("Name", "Kind", "Version", "Options (default)", "Path");
        foreach (var plugin in plugins)
        {
            var lines = plugin.Options
                .Select(o => $"{o.Name}: {o.Type} = {o.Default}{(o.PeftDefault is { } peft ? $" (PEFT: {peft})" : "")}")
                .ToList();
            if ((plugin.Instance as IAdapterStrategy)?.RecommendedLearningRate is { } rate)
                lines.Insert(0, $"learning rate {rate.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)} unless the recipe sets one");
            var options = lines.Count == 0 ? "-" : string.Join("\n", lines);
            table.AddRow(Markup.Escape(plugin.Name), plugin.Kind, plugin.Version, Markup.Escape(options), Markup.Escape(plugin.AssemblyPath));
        }
        terminal.Write(table);
        if (plugins.Count == 0) console.Out.WriteLine("No plugins found.");
        var differences = plugins
            .SelectMany(p => p.Options
                .Where(o => o.PeftDefault is not null)
                .Select(o => $"  {p.Name}.{o.Name}: {o.Default} (PEFT: {o.PeftDefault}): {o.WhyNotPeft}"))
            .ToList();
        if (differences.Count > 0)
        {
            console.Out.WriteLine("Defaults that differ from Hugging Face PEFT's, for extractive QA " +
                                  "(give PEFT's value in a recipe to get PEFT's behaviour):");
            foreach (var line in differences) console.Out.WriteLine(line);
        }
        console.Out.WriteLine($"Contracts: {ContractsVersion.AssemblyName} {ContractsVersion.Format(ContractsVersion.Host)} " +
                              $"(plugins built against {ContractsVersion.Host.Major}.x load here).");
        return PeftQaCommandLine.Success;
    }
}
