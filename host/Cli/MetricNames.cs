using System.CommandLine;

namespace PeftQa.Host.Cli;

/// <summary>Rules for an option that names metric plugins (--metrics of score and eval).</summary>
public static class MetricNames
{
    /// <summary>A list that names one plugin twice (matched ignoring case) is refused, naming the option and the name.</summary>
    public static void RefuseRepeated(Option<string[]> option) => option.Validators.Add(result =>
    {
        var names = result.GetValueOrDefault<string[]>() ?? [];
        if (names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            result.AddError($"{option.Name}: '{repeated.Key}' is given twice; name each metric once");
    });
}
