using System.Text.Json;
using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Host.Foundation;
using PeftQa.Host.Plugins;
using PeftQa.Host.Reporting;

namespace PeftQa.Host.Cli;

/// <summary>
/// <c>peftqa schema [--out FILE]</c>: the recipe JSON Schema for the plugins this host loads (its own, <c>--plugins</c>),
/// for editors: a recipe that starts with <c>"$schema": "recipe.schema.json"</c> is completed and checked as it is typed.
/// </summary>
public sealed class SchemaCommand(PluginLoader pluginLoader, ExtraPluginFolders pluginFolders, CliConsole console)
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(VerbSetup verbs)
    {
        var output = new Option<string?>("--out") { Description = "Write the schema to this file (default: standard output)." };
        var schema = new Command("schema", "Print the recipe JSON Schema (recipe types and the loaded plugins' options) for editors.") { output };
        verbs.Handle(schema, (parse, services, _) => services.GetRequiredService<SchemaCommand>().Execute(parse.GetValue(output)));
        return schema;
    }

    public int Execute(string? output)
    {
        var target = output is null ? null : WritableFolder.FullPath(output, "--out");
        if (target is not null && Directory.Exists(target))
            throw new BadInputException(
                $"--out {target}: is a folder; give the schema file's name, for example {Path.Combine(target, "recipe.schema.json")}");
        if (target is not null) WritableFolder.Ensure(Path.GetDirectoryName(target)!, "--out");
        var plugins = pluginLoader.Load(PluginRoots.For(pluginFolders.Folders, []));
        var text = RecipeSchema.Build(plugins).ToJsonString(Indented) + "\n";
        if (target is null) console.Out.Write(text);
        else
        {
            AtomicFile.WriteAllText(target, text);
            console.Out.WriteLine(target);
        }
        return PeftQaCommandLine.Success;
    }
}
