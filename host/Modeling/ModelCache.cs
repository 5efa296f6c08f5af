namespace PeftQa.Host.Modeling;

/// <summary>
/// Where converted built-in models live: <c>$PEFTQA_HOME/models</c>, else <c>$XDG_CACHE_HOME/peftqa/models</c>,
/// else <c>~/.cache/peftqa/models</c>.
/// </summary>
public static class ModelCache
{
    public static string Root
    {
        get
        {
            if (Environment.GetEnvironmentVariable("PEFTQA_HOME") is { Length: > 0 } home) return Path.Combine(home, "models");
            if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg) return Path.Combine(xdg, "peftqa", "models");
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "peftqa", "models");
        }
    }
}
