using System.CommandLine;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Cli;

/// <summary>Options every verb takes (recursive on the root command): --device, --threads, --plugins, --verbose.</summary>
public sealed record GlobalOptions(Option<DeviceChoice> Device, Option<int?> Threads, Option<string[]> Plugins, Option<bool> Verbose)
{
    public Option[] All => [Device, Threads, Plugins, Verbose];

    public static GlobalOptions Create()
    {
        var device = new Option<DeviceChoice>("--device")
        {
            Description = "Compute device: auto (CUDA when available), cpu or cuda.",
            DefaultValueFactory = _ => DeviceChoice.Auto,
            Recursive = true,
        };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for tensor work (default: one per core).", Recursive = true };
        var plugins = new Option<string[]>("--plugins")
        {
            Description = "Another folder of plugins (or one plugin folder); may be repeated.",
            Recursive = true,
            Arity = ArgumentArity.ZeroOrMore,
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show debug log lines.", Recursive = true };
        return new GlobalOptions(device, threads, plugins, verbose);
    }

    /// <summary>--device and --threads as parsed.</summary>
    public ComputeSettings Compute(ParseResult parse) => new(parse.GetValue(Device), parse.GetValue(Threads));

    /// <summary>--plugins as parsed.</summary>
    public IReadOnlyList<string> PluginFolders(ParseResult parse) => [.. parse.GetValue(Plugins) ?? []];
}
