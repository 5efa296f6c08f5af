namespace PeftQa.Host.Plugins;

/// <summary>A plugin folder that could not be used, and why; the other folders still load.</summary>
public sealed record PluginLoadFailure(string Folder, string Reason)
{
    public override string ToString() => $"plugin folder {Folder} skipped: {Reason}";
}
