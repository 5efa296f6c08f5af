using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Plugins;

/// <summary>
/// The contracts' version rule: a plugin built against PeftQa.Abstractions x.* loads in a host whose Abstractions have
/// the same major version x; another major version is refused before the plugin is loaded, naming both versions. The
/// version a plugin was built against is read from its assembly's metadata, without loading it.
/// </summary>
public static class ContractsVersion
{
    public const string AssemblyName = "PeftQa.Abstractions";

    /// <summary>The Abstractions version this host carries (the PeftQa.Abstractions package version).</summary>
    public static Version Host { get; } = typeof(IPeftQaPlugin).Assembly.GetName().Version ?? new Version(0, 0);

    /// <summary>The Abstractions version <paramref name="assemblyPath"/> was compiled against; null if it does not reference them.</summary>
    public static Version? BuiltAgainst(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var image = new PEReader(stream);
        if (!image.HasMetadata) return null;
        var metadata = image.GetMetadataReader();
        foreach (var handle in metadata.AssemblyReferences)
        {
            var reference = metadata.GetAssemblyReference(handle);
            if (metadata.GetString(reference.Name) == AssemblyName) return reference.Version;
        }
        return null;
    }

    /// <exception cref="BadInputException">The plugin was built against Abstractions of another major version.</exception>
    public static void Require(string assemblyPath)
    {
        if (BuiltAgainst(assemblyPath) is not { } built || built.Major == Host.Major) return;
        throw new BadInputException(
            $"plugin {assemblyPath}: built against {AssemblyName} {Format(built)}, but this host has {AssemblyName} {Format(Host)}; " +
            $"a plugin loads only in a host of the same major version: " +
            $"rebuild it against {AssemblyName} {Host.Major}.x, or use a {built.Major}.x host");
    }

    public static string Format(Version version) => version.ToString(3);
}
