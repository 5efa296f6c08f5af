using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Augmentation;
using PeftQa.Host.Merging;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Plugins;

/// <summary>
/// Loads plugin folders, each into its own load context, sharing the contract assemblies with the host so that a
/// plugin's <c>Tensor</c> and <c>IAdapterStrategy</c> are the host's. Plugins are found by contract: every public
/// class implementing an interface marked with <see cref="PluginKindAttribute"/>. A folder that fails is reported
/// in one line and skipped; a plugin built against contracts of another major version (<see cref="ContractsVersion"/>)
/// and two plugins of one kind with the same name are errors.
/// </summary>
public sealed class PluginLoader(IServiceProvider services, ILogger<PluginLoader> logger)
{
    /// <summary>Types whose assemblies the host and plugins must share (their dependencies follow).</summary>
    private static readonly Type[] SharedTypes =
    [
        typeof(IPeftQaPlugin),
        typeof(TorchSharp.torch),
        typeof(ILogger),
        typeof(IServiceProvider),
        typeof(ActivatorUtilities),
        typeof(Serilog.ILogger),
    ];

    private static readonly IReadOnlyList<Type> Contracts = typeof(IPeftQaPlugin).Assembly.GetExportedTypes()
        .Where(t => t.IsInterface && t.GetCustomAttribute<PluginKindAttribute>() is not null)
        .ToList();

    /// <summary>The folder beside the host's executable that ships with it.</summary>
    public static string BuiltInPluginsFolder => Path.Combine(AppContext.BaseDirectory, "plugins");

    public static string KindOf(Type contract) => contract.GetCustomAttribute<PluginKindAttribute>()?.Kind ?? contract.Name;

    /// <summary>
    /// Loads every plugin folder under <paramref name="roots"/>. A root is either one plugin folder (it holds the
    /// plugin's assembly) or a folder of plugin folders. Missing roots given by the user are an error.
    /// </summary>
    public PluginCatalog Load(IEnumerable<string> roots)
    {
        var plugins = new List<LoadedPlugin>();
        var failures = new List<PluginLoadFailure>();
        var mergeMethods = new MergeMethods();
        var pluginServices = new PluginServices(services, mergeMethods);
        foreach (var folder in roots.SelectMany(PluginFolders).Distinct(StringComparer.Ordinal))
        {
            try
            {
                plugins.AddRange(LoadFolder(folder, pluginServices));
            }
            catch (Exception e) when (e is not BadInputException)
            {
                var failure = new PluginLoadFailure(folder, Describe(e));
                failures.Add(failure);
                logger.LogWarning("{Failure}", failure.ToString());
            }
        }
        plugins.AddRange(BundledAugmentations());
        ThrowOnDuplicateNames(plugins);
        mergeMethods.Add(ThirdPartyMergeMethods(plugins));
        foreach (var plugin in plugins)
            logger.LogDebug("Loaded {Kind} plugin {Name} {Version} from {Path}", plugin.Kind, plugin.Name, plugin.Version, plugin.AssemblyPath);
        return new PluginCatalog(plugins, failures) { MergeMethods = mergeMethods };
    }

    private static IEnumerable<string> PluginFolders(string root)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new BadInputException($"plugin folder not found: {root}");
        if (FindMainAssembly(full) is not null) return [full];
        return Directory.GetDirectories(full).Order(StringComparer.Ordinal);
    }

    /// <summary>The plugin's own assembly: &lt;folder name&gt;.dll, else the one assembly with a .deps.json beside it.</summary>
    private static string? FindMainAssembly(string folder)
    {
        var byName = Path.Combine(folder, Path.GetFileName(folder) + ".dll");
        if (File.Exists(byName)) return byName;
        var described = Directory.GetFiles(folder, "*.deps.json")
            .Select(deps => Path.Combine(folder, Path.GetFileName(deps)[..^".deps.json".Length] + ".dll"))
            .Where(File.Exists)
            .ToList();
        return described.Count == 1 ? described[0] : null;
    }

    /// <summary>
    /// The data augmentations the host brings, listed and found as plugins are (a third party's of the same name clashes
    /// with one of them, as two plugins of one name do).
    /// </summary>
    private static IEnumerable<LoadedPlugin> BundledAugmentations()
    {
        var host = typeof(PluginLoader).Assembly;
        var version = host.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
        return Augmentation.BundledAugmentations.All().Select(a => new LoadedPlugin(
            a.Name, KindOf(typeof(IDataAugmentation)), version, host.Location, a.Description, PluginOptionsSchema.Describe(a.OptionsType), a));
    }

    /// <summary>The merge-method plugins, refused where one takes a bundled method's name.</summary>
    private static IEnumerable<IMergeMethod> ThirdPartyMergeMethods(IReadOnlyList<LoadedPlugin> plugins)
    {
        var bundled = MergeMethods.Bundled().Select(m => m.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var methods = plugins.Where(p => p.Instance is IMergeMethod).ToList();
        var clashes = methods.Where(p => bundled.Contains(p.Name)).ToList();
        if (clashes.Count > 0)
            throw new BadInputException(clashes.Select(p =>
                $"the merge-method plugin '{p.Name}' in {p.AssemblyPath} takes the name of a bundled merge method; rename it").ToList());
        return methods.Select(p => (IMergeMethod)p.Instance);
    }

    private List<LoadedPlugin> LoadFolder(string folder, IServiceProvider pluginServices)
    {
        var assemblyPath = FindMainAssembly(folder)
            ?? throw new PluginFolderException($"no plugin assembly (expected {Path.GetFileName(folder)}.dll or exactly one *.deps.json)");
        ContractsVersion.Require(assemblyPath);
        var loader = McMaster.NETCore.Plugins.PluginLoader.CreateFromAssemblyFile(
            assemblyPath, SharedTypes, config => config.PreferSharedTypes = true);
        var assembly = loader.LoadDefaultAssembly();
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? assembly.GetName().Version?.ToString() ?? "0.0.0";

        var found = new List<LoadedPlugin>();
        foreach (var type in assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            foreach (var contract in Contracts.Where(c => c.IsAssignableFrom(type)))
            {
                var instance = (IPeftQaPlugin)ActivatorUtilities.CreateInstance(pluginServices, type);
                var options = instance is IConfigurablePlugin configurable ? PluginOptionsSchema.Describe(configurable.OptionsType) : [];
                if (string.IsNullOrWhiteSpace(instance.Name))
                    throw new PluginFolderException($"{type.FullName} has an empty Name");
                found.Add(new LoadedPlugin(instance.Name, KindOf(contract), version, assemblyPath, instance.Description, options, instance));
            }
        }
        if (found.Count == 0)
            throw new PluginFolderException(
                $"{Path.GetFileName(assemblyPath)} has no public class implementing {string.Join(" or ", Contracts.Select(c => c.Name))}");
        return found;
    }

    private static void ThrowOnDuplicateNames(IEnumerable<LoadedPlugin> plugins)
    {
        var clashes = plugins.GroupBy(p => (p.Kind, Name: p.Name.ToLowerInvariant())).Where(g => g.Count() > 1).ToList();
        if (clashes.Count == 0) return;
        throw new BadInputException(clashes.Select(g =>
            $"two {g.Key.Kind} plugins are named '{g.First().Name}': {string.Join(" and ", g.Select(p => p.AssemblyPath))}; " +
            "remove or rename one").ToList());
    }

    private static string Describe(Exception e) => e switch
    {
        PluginFolderException => e.Message,
        TargetInvocationException { InnerException: { } inner } => $"constructor threw {inner.GetType().Name}: {inner.Message}",
        ReflectionTypeLoadException { LoaderExceptions: var inner } =>
            $"a type could not load: {inner.FirstOrDefault(x => x is not null)?.Message ?? e.Message}",
        FileNotFoundException f => $"missing dependency {f.FileName ?? f.Message}",
        BadImageFormatException b => $"not a .NET assembly: {b.FileName ?? b.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private sealed class PluginFolderException(string message) : Exception(message);
}
