namespace PeftQa.Abstractions;

/// <summary>The typed plugin bases' one check that the host passed the options class they declared.</summary>
internal static class PluginOptions
{
    public static TOptions Cast<TOptions>(string plugin, object options) where TOptions : class => options as TOptions
        ?? throw new ArgumentException(
            $"{plugin} expects options of type {typeof(TOptions).Name}, got {options?.GetType().Name ?? "null"}", nameof(options));
}
