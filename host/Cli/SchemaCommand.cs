using System.Text.Json;
using Microsoft.Extensions.Options;
using PeftQa.Host.Foundation;
using PeftQa.Host.Plugins;
using PeftQa.Host.Reporting;

namespace PeftQa.Host.Cli;

/// <summary>
/// <c>peftqa schema [--out FILE]</c>: the recipe JSON Schema for the plugins this host loads (its own, <c>--plugins</c>),
/// for editors: a recipe that starts with <c>"$schema": "recipe.schema.json"</c> is completed and checked as it is typed.
/// </summary>
public sealed class SchemaCommand(PluginLoader pluginLoader, IOptions<PeftQaSettings> settings, CliConsole console)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public int Execute(string? output)
    {
        var target = output is null ? null : WritableFolder.FullPath(output, "--out");
        if (target is not null && Directory.Exists(target))
            throw new BadInputException($"--out {target}: is a folder; give the schema file's name, for example {Path.Combine(target, "recipe.schema.json")}");
        if (target is not null) WritableFolder.Ensure(Path.GetDirectoryName(target)!, "--out");
        var plugins = pluginLoader.Load(PluginRoots.For(settings.Value.PluginFolders, []));
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
