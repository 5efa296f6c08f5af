using PeftQa.Host.Modeling;
namespace PeftQa.Host.Cli;

/// <summary>Process-wide settings from the command line and environment, available through IOptions.</summary>
public sealed class PeftQaSettings
{
    public DeviceChoice Device { get; set; } = DeviceChoice.Auto;

    /// <summary>Intra-op threads; null means one per core.</summary>
    public int? Threads { get; set; }

    /// <summary>Extra plugin folders from --plugins, searched after the host's own.</summary>
    public List<string> PluginFolders { get; set; } = [];

    /// <summary>--precision (run, eval, predict): overrides a recipe's training.precision; null: the recipe's, or auto.</summary>
    public Recipes.Precision? Precision { get; set; }

    /// <summary>--data-root, else the PEFTQA_DATA environment variable.</summary>
    public string? DataRoot { get; set; }
}
