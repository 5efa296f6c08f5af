using Microsoft.Extensions.Logging;

namespace PeftQa.Host.Evaluation;

/// <summary>Progress of a long evaluation as log lines: at most one every 20 seconds, with the time left.</summary>
public static class EvaluationProgress
{
    /// <param name="every">The least time between two lines (20 seconds by default).</param>
    public static Action<int, int> Logged(ILogger logger, string what, TimeSpan? every = null)
    {
        var interval = every ?? TimeSpan.FromSeconds(20);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        return (done, total) =>
        {
            if (watch.Elapsed - last < interval || done == total || done == 0) return;
            last = watch.Elapsed;
            var remaining = TimeSpan.FromSeconds(watch.Elapsed.TotalSeconds / done * (total - done));
            logger.LogInformation("{What}: evaluated {Done:N0} of {Total:N0} windows, about {Remaining} left",
                what, done, total, remaining.ToString(@"hh\:mm\:ss"));
        };
    }
}
