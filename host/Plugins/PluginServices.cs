using PeftQa.Abstractions;

namespace PeftQa.Host.Plugins;

/// <summary>
/// What a plugin's constructor may ask for: the host's services, plus the services of the catalog being loaded
/// (<see cref="IMergeMethods"/>), which exist once per catalog rather than once per process.
/// </summary>
internal sealed class PluginServices(IServiceProvider host, IMergeMethods mergeMethods) : IServiceProvider
{
    public object? GetService(Type serviceType) =>
        serviceType == typeof(IMergeMethods) ? mergeMethods : host.GetService(serviceType);
}
